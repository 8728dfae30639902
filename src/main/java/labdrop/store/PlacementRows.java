package labdrop.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The placements outbox: what must be written to (or removed from) the drop. */
public final class PlacementRows {
    private PlacementRows() {
    }

    /** A pending write ({@code place}) or removal ({@code remove}) of one request file. */
    public record Pending(long id, long requestNumber, String host, String action, Instant createdAt) {
    }

    public static void add(Handle h, long requestNumber, String host, String action, Instant now) {
        h.createUpdate("""
                insert into placements (request_num, host, action, created_at)
                values (:num, :host, :action, :now)""")
                .bind("num", requestNumber).bind("host", host).bind("action", action)
                .bind("now", Times.bind(now)).execute();
    }

    /** Hosts that have pending placements, oldest first. */
    public static List<String> hostsWithPending(Handle h, int limit) {
        return h.createQuery("""
                select host from placements where done_at is null group by host order by min(id)
                fetch first %d rows only""".formatted(limit)).mapTo(String.class).list();
    }

    public static List<Pending> pendingFor(Handle h, String host) {
        return h.createQuery("select * from placements where done_at is null and host = :host order by id")
                .bind("host", host)
                .map((rs, ctx) -> new Pending(rs.getLong("id"), rs.getLong("request_num"), rs.getString("host"),
                        rs.getString("action"), Times.read(rs, "created_at")))
                .list();
    }

    public static void markDone(Handle h, long id, Instant now) {
        h.createUpdate("update placements set done_at = :now where id = :id")
                .bind("now", Times.bind(now)).bind("id", id).execute();
    }

    /** When the oldest placement still waiting was added, if one is. */
    public static Optional<Instant> oldestPending(Handle h) {
        return h.createQuery("select created_at from placements where done_at is null order by id fetch first 1 rows only")
                .map((rs, ctx) -> Times.read(rs, "created_at")).findFirst();
    }

    public static int countPending(Handle h) {
        return h.createQuery("select count(*) from placements where done_at is null").mapTo(Integer.class).one();
    }
}
