package labdrop.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import labdrop.event.Delivery;
import labdrop.event.EventKind;
import labdrop.event.Webhook;
import org.jdbi.v3.core.Handle;

/** Webhooks and their deliveries. */
public final class WebhookRows {
    private WebhookRows() {
    }

    public static long add(Handle h, Webhook w) {
        return h.createUpdate("""
                        insert into webhooks (url, secret, events, created_by, created_at)
                        values (:url, :secret, :events, :by, :at)""")
                .bind("url", w.url()).bind("secret", w.secret()).bind("events", events(w.events()))
                .bind("by", w.createdBy()).bind("at", Times.bind(w.createdAt()))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    public static List<Webhook> all(Handle h) {
        return h.createQuery("select * from webhooks order by id").map((rs, ctx) -> webhook(rs)).list();
    }

    public static Optional<Webhook> find(Handle h, long id) {
        return h.createQuery("select * from webhooks where id = :id").bind("id", id).map((rs, ctx) -> webhook(rs)).findOne();
    }

    public static int count(Handle h) {
        return h.createQuery("select count(*) from webhooks").mapTo(Integer.class).one();
    }

    public static void remove(Handle h, long id) {
        h.createUpdate("delete from webhook_deliveries where webhook_id = :id").bind("id", id).execute();
        h.createUpdate("delete from webhooks where id = :id").bind("id", id).execute();
    }

    /** The receiver answered: no more waiting. */
    public static void reachable(Handle h, long id) {
        h.createUpdate("update webhooks set failures = 0, retry_at = null where id = :id and failures > 0")
                .bind("id", id).execute();
    }

    /** The receiver failed again: leave it alone until {@code retryAt}. */
    public static void unreachable(Handle h, long id, int failures, Instant retryAt) {
        h.createUpdate("update webhooks set failures = :failures, retry_at = :at where id = :id")
                .bind("failures", failures).bind("at", Times.bind(retryAt)).bind("id", id).execute();
    }

    public static void addDelivery(Handle h, long webhookId, long eventId, EventKind kind, String hostKey, String body,
                                   Instant now) {
        h.createUpdate("""
                        insert into webhook_deliveries (webhook_id, event_id, kind, host_key, body, status, created_at, next_at)
                        values (:webhook, :event, :kind, :host, :body, 'PENDING', :now, :now)""")
                .bind("webhook", webhookId).bind("event", eventId).bind("kind", kind.label()).bind("host", hostKey)
                .bind("body", body).bind("now", Times.bind(now)).execute();
    }

    /**
     * The deliveries of one webhook that may go now: pending, due, and the oldest pending of their
     * host (a later one waits until the earlier is delivered or given up), oldest first.
     */
    public static List<Delivery> due(Handle h, long webhookId, Instant now, int limit) {
        return h.createQuery("""
                        select * from webhook_deliveries d
                        where d.status = 'PENDING' and d.webhook_id = :webhook and d.next_at <= :now
                          and not exists (select 1 from webhook_deliveries e where e.status = 'PENDING'
                                          and e.webhook_id = d.webhook_id and e.host_key = d.host_key and e.id < d.id)
                        order by d.id fetch first :limit rows only""")
                .bind("webhook", webhookId).bind("now", Times.bind(now)).bind("limit", limit)
                .map((rs, ctx) -> delivery(rs)).list();
    }

    public static void delivered(Handle h, long id, int status, Instant now) {
        h.createUpdate("""
                        update webhook_deliveries set status = 'DELIVERED', attempts = attempts + 1, done_at = :now,
                            last_status = :status, last_error = null where id = :id""")
                .bind("now", Times.bind(now)).bind("status", status).bind("id", id).execute();
    }

    /** A failed try: again at {@code nextAt}, or given up when {@code nextAt} is null. */
    public static void failed(Handle h, long id, Integer status, String error, Instant nextAt, Instant now) {
        h.createUpdate("""
                        update webhook_deliveries set attempts = attempts + 1, last_status = :status, last_error = :error,
                            status = case when :giveUp then 'FAILED' else status end,
                            done_at = case when :giveUp then :now else done_at end,
                            next_at = case when :giveUp then next_at else :next end
                        where id = :id""")
                .bind("status", status).bind("error", error).bind("giveUp", nextAt == null)
                .bind("next", Times.bind(nextAt)).bind("now", Times.bind(now)).bind("id", id).execute();
    }

    /** The latest deliveries of one webhook, newest first. */
    public static List<Delivery> recent(Handle h, long webhookId, int limit) {
        return h.createQuery("select * from webhook_deliveries where webhook_id = :webhook order by id desc fetch first :limit rows only")
                .bind("webhook", webhookId).bind("limit", limit).map((rs, ctx) -> delivery(rs)).list();
    }

    public static int pending(Handle h, long webhookId) {
        return h.createQuery("select count(*) from webhook_deliveries where webhook_id = :webhook and status = 'PENDING'")
                .bind("webhook", webhookId).mapTo(Integer.class).one();
    }

    /** Forgets delivered and given-up deliveries that ended before {@code before}. */
    public static int prune(Handle h, Instant before) {
        return h.createUpdate("delete from webhook_deliveries where status <> 'PENDING' and done_at < :before")
                .bind("before", Times.bind(before)).execute();
    }

    private static String events(Set<EventKind> events) {
        return events.stream().sorted().map(EventKind::label).collect(Collectors.joining(","));
    }

    private static Webhook webhook(ResultSet rs) throws SQLException {
        Set<EventKind> events = EnumSet.noneOf(EventKind.class);
        Arrays.stream(rs.getString("events").split(",")).map(EventKind::of).forEach(events::add);
        return new Webhook(rs.getLong("id"), rs.getString("url"), rs.getString("secret"), events, rs.getString("created_by"),
                Times.read(rs, "created_at"), rs.getInt("failures"), Times.read(rs, "retry_at"));
    }

    private static Delivery delivery(ResultSet rs) throws SQLException {
        return new Delivery(rs.getLong("id"), rs.getLong("webhook_id"), rs.getLong("event_id"), EventKind.of(rs.getString("kind")),
                rs.getString("host_key"), rs.getString("body"), Delivery.Status.valueOf(rs.getString("status")),
                rs.getInt("attempts"), Times.read(rs, "created_at"), Times.read(rs, "next_at"), Times.read(rs, "done_at"),
                rs.getObject("last_status", Integer.class), rs.getString("last_error"));
    }
}
