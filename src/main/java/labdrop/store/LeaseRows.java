package labdrop.store;

import java.time.Instant;
import org.jdbi.v3.core.Handle;

/** Rows of notify_leases: which node does a piece of notification work, until when. */
public final class LeaseRows {
    private LeaseRows() {
    }

    /**
     * Takes or renews lease {@code name} for {@code node} until {@code until}: true when it was
     * free, ran out before {@code now}, or is already this node's. The row is locked while this
     * runs, so of two nodes asking at once one gets it.
     */
    public static boolean hold(Handle h, String name, String node, Instant now, Instant until) {
        int taken = h.createUpdate("""
                update notify_leases set node_id = :node, held_until = :until
                where name = :name and (node_id = :node or held_until < :now)""")
                .bind("name", name).bind("node", node).bind("now", Times.bind(now)).bind("until", Times.bind(until)).execute();
        if (taken > 0) {
            return true;
        }
        return h.createUpdate("""
                insert into notify_leases (name, node_id, held_until) values (:name, :node, :until)
                on conflict (name) do nothing""")
                .bind("name", name).bind("node", node).bind("until", Times.bind(until)).execute() > 0;
    }

    /** Gives lease {@code name} back, if {@code node} holds it. */
    public static void release(Handle h, String name, String node) {
        h.createUpdate("delete from notify_leases where name = :name and node_id = :node").bind("name", name).bind("node", node)
                .execute();
    }
}
