package labdrop.store;

import java.time.Instant;
import java.util.List;
import labdrop.event.Event;
import labdrop.event.EventKind;
import org.jdbi.v3.core.Handle;

/** The notification outbox: events written in the transaction of the change they tell about. */
public final class EventRows {
    private EventRows() {
    }

    public static void add(Handle h, EventKind kind, String host, Long requestNum, Long jobNum, String detail, Instant now) {
        h.createUpdate("""
                        insert into notify_events (kind, host, request_num, job_num, detail, created_at)
                        values (:kind, :host, :request, :job, :detail, :at)""")
                .bind("kind", kind.label()).bind("host", host).bind("request", requestNum).bind("job", jobNum)
                .bind("detail", Event.detail(detail)).bind("at", Times.bind(now)).execute();
    }

    /** Events not fanned out yet, oldest first. */
    public static List<Event> open(Handle h, int limit) {
        return h.createQuery("select * from notify_events where fanned_at is null order by id fetch first :limit rows only")
                .bind("limit", limit)
                .map((rs, ctx) -> new Event(rs.getLong("id"), EventKind.of(rs.getString("kind")), rs.getString("host"),
                        rs.getObject("request_num", Long.class), rs.getObject("job_num", Long.class), rs.getString("detail"),
                        Times.read(rs, "created_at")))
                .list();
    }

    public static void fanned(Handle h, long id, Instant now) {
        h.createUpdate("update notify_events set fanned_at = :now where id = :id").bind("now", Times.bind(now))
                .bind("id", id).execute();
    }

    /** Forgets fanned-out events older than {@code before}; returns how many. */
    public static int prune(Handle h, Instant before) {
        return h.createUpdate("delete from notify_events where fanned_at is not null and fanned_at < :before")
                .bind("before", Times.bind(before)).execute();
    }

    public static int openCount(Handle h) {
        return h.createQuery("select count(*) from notify_events where fanned_at is null").mapTo(Integer.class).one();
    }

    /**
     * Marks job {@code num} as told about when all its members have ended and it was not told yet;
     * true only for the one caller that marks it.
     */
    public static boolean claimJobFinished(Handle h, long num, Instant now) {
        return h.createUpdate("""
                        update jobs set notified_at = :now where num = :num and notified_at is null
                        and not exists (select 1 from requests r where r.job_num = :num and r.finished_at is null)""")
                .bind("now", Times.bind(now)).bind("num", num).execute() == 1;
    }
}
