package labdrop.store;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Rows of cluster_nodes: one per server node that ever joined the cluster, with its last heartbeat. */
public final class NodeRows {
    private NodeRows() {
    }

    /** A node as stored: {@code stoppedAt} is set by a clean stop and cleared by the next start. */
    public record Row(String node, String version, String address, Instant startedAt, Instant heartbeatAt,
                      Instant stoppedAt, String doing) {
    }

    /** A node starts: its row is created or taken over (a restart keeps the id), stopped cleared. */
    public static void started(Handle h, String node, String version, String address, Instant now) {
        int updated = h.createUpdate("""
                update cluster_nodes set version = :version, address = :address, started_at = :now, heartbeat_at = :now,
                stopped_at = null, doing = 'starting' where node_id = :node""")
                .bind("node", node).bind("version", version).bind("address", address).bind("now", Times.bind(now)).execute();
        if (updated == 0) {
            h.createUpdate("""
                    insert into cluster_nodes (node_id, version, address, started_at, heartbeat_at, doing)
                    values (:node, :version, :address, :now, :now, 'starting')""")
                    .bind("node", node).bind("version", version).bind("address", address).bind("now", Times.bind(now)).execute();
        }
    }

    public static void heartbeat(Handle h, String node, String doing, Instant now) {
        h.createUpdate("update cluster_nodes set heartbeat_at = :now, doing = :doing where node_id = :node")
                .bind("node", node).bind("doing", doing.length() > 255 ? doing.substring(0, 255) : doing)
                .bind("now", Times.bind(now)).execute();
    }

    /** A clean stop: the node is shown stopped rather than dead. */
    public static void stopped(Handle h, String node, Instant now) {
        h.createUpdate("update cluster_nodes set stopped_at = :now, doing = 'stopped' where node_id = :node")
                .bind("node", node).bind("now", Times.bind(now)).execute();
    }

    public static List<Row> all(Handle h) {
        return h.createQuery("select * from cluster_nodes order by node_id")
                .map((rs, ctx) -> new Row(rs.getString("node_id"), rs.getString("version"), rs.getString("address"),
                        Times.read(rs, "started_at"), Times.read(rs, "heartbeat_at"), Times.read(rs, "stopped_at"),
                        rs.getString("doing")))
                .list();
    }
}
