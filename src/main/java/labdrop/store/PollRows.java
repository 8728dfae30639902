package labdrop.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Rows of host_polls: each host's doorbell polls answered, by every server that answered them, and the last one's time. */
public final class PollRows {
    private PollRows() {
    }

    /** A host's polls answered and the last one's time (null when none). */
    public record Polls(long count, Instant last) {
        public static final Polls NONE = new Polls(0, null);

        /** These polls and {@code more}: counts added, the later of the two times. */
        public Polls plus(Polls more) {
            Instant later = last == null || (more.last != null && more.last.isAfter(last)) ? more.last : last;
            return new Polls(count + more.count, later);
        }
    }

    /**
     * Adds polls answered by this server to the hosts' counts, in host-name order (so two servers
     * adding at once take the rows' locks in the same order). A host without a row (added by a
     * server older than version 25, or a name that is no host) gets one when it is a host.
     */
    public static void add(Handle h, Map<String, Polls> answered) {
        Map<String, Polls> sorted = new TreeMap<>(answered);
        PreparedBatch batch = h.prepareBatch("""
                update host_polls set polls = polls + :count,
                       last_poll_at = case when last_poll_at is null or last_poll_at < :last then :last else last_poll_at end
                where host = :host""");
        sorted.forEach((host, p) -> batch.bind("count", p.count()).bind("last", Times.bind(p.last())).bind("host", host).add());
        int[] updated = batch.execute();
        int i = 0;
        for (Map.Entry<String, Polls> e : sorted.entrySet()) {
            if (updated[i++] == 0) {
                h.createUpdate("""
                        insert into host_polls (host, polls, last_poll_at)
                        select name, :count, :last from hosts where name = :host""")
                        .bind("count", e.getValue().count()).bind("last", Times.bind(e.getValue().last())).bind("host", e.getKey())
                        .execute();
            }
        }
    }

    /** Every host's polls as the store has them. */
    public static Map<String, Polls> all(Handle h) {
        Map<String, Polls> all = new HashMap<>();
        h.createQuery("select host, polls, last_poll_at from host_polls").map((rs, ctx) -> {
            all.put(rs.getString(1), new Polls(rs.getLong(2), Times.read(rs, "last_poll_at")));
            return null;
        }).list();
        return all;
    }

    /** A new host's row; called where hosts are inserted. */
    static void insert(Handle h, String host) {
        h.createUpdate("insert into host_polls (host) values (:host)").bind("host", host).execute();
    }
}
