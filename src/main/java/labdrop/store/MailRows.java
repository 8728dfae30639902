package labdrop.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import labdrop.event.MailSubscription;
import org.jdbi.v3.core.Handle;

/** What users asked to be mailed about, and the mail waiting to be sent. */
public final class MailRows {
    private MailRows() {
    }

    /** A mail waiting in the outbox. */
    public record Mail(long id, long eventId, String recipient, String subject, String body, int attempts, Instant createdAt) {
    }

    public static void subscribe(Handle h, MailSubscription s) {
        h.createUpdate("delete from mail_subscriptions where username = :user").bind("user", s.user()).execute();
        h.createUpdate("""
                        insert into mail_subscriptions (username, email, own_requests, regression_types)
                        values (:user, :email, :own, :types)""")
                .bind("user", s.user()).bind("email", s.email()).bind("own", s.ownRequests())
                .bind("types", String.join(",", s.regressionTypes())).execute();
    }

    public static void unsubscribe(Handle h, String user) {
        h.createUpdate("delete from mail_subscriptions where username = :user").bind("user", user).execute();
    }

    public static Optional<MailSubscription> of(Handle h, String user) {
        return h.createQuery("select * from mail_subscriptions where username = :user").bind("user", user)
                .map((rs, ctx) -> subscription(rs)).findOne();
    }

    public static List<MailSubscription> all(Handle h) {
        return h.createQuery("select * from mail_subscriptions order by username").map((rs, ctx) -> subscription(rs)).list();
    }

    public static void add(Handle h, long eventId, String recipient, String subject, String body, Instant now) {
        h.createUpdate("""
                        insert into mail_outbox (event_id, recipient, subject, body, status, created_at, next_at)
                        values (:event, :to, :subject, :body, 'PENDING', :now, :now)""")
                .bind("event", eventId).bind("to", recipient).bind("subject", subject).bind("body", body)
                .bind("now", Times.bind(now)).execute();
    }

    public static List<Mail> due(Handle h, Instant now, int limit) {
        return h.createQuery("select * from mail_outbox where status = 'PENDING' and next_at <= :now order by id fetch first :limit rows only")
                .bind("now", Times.bind(now)).bind("limit", limit)
                .map((rs, ctx) -> new Mail(rs.getLong("id"), rs.getLong("event_id"), rs.getString("recipient"),
                        rs.getString("subject"), rs.getString("body"), rs.getInt("attempts"), Times.read(rs, "created_at")))
                .list();
    }

    public static void sent(Handle h, long id, Instant now) {
        h.createUpdate("update mail_outbox set status = 'SENT', attempts = attempts + 1, done_at = :now, last_error = null where id = :id")
                .bind("now", Times.bind(now)).bind("id", id).execute();
    }

    /** A failed try: again at {@code nextAt}, or given up when it is null. */
    public static void failed(Handle h, long id, String error, Instant nextAt, Instant now) {
        h.createUpdate("""
                        update mail_outbox set attempts = attempts + 1, last_error = :error,
                            status = case when :giveUp then 'FAILED' else status end,
                            done_at = case when :giveUp then :now else done_at end,
                            next_at = case when :giveUp then next_at else :next end
                        where id = :id""")
                .bind("error", error).bind("giveUp", nextAt == null).bind("next", Times.bind(nextAt))
                .bind("now", Times.bind(now)).bind("id", id).execute();
    }

    public static int pending(Handle h) {
        return h.createQuery("select count(*) from mail_outbox where status = 'PENDING'").mapTo(Integer.class).one();
    }

    public static int prune(Handle h, Instant before) {
        return h.createUpdate("delete from mail_outbox where status <> 'PENDING' and done_at < :before")
                .bind("before", Times.bind(before)).execute();
    }

    private static MailSubscription subscription(ResultSet rs) throws SQLException {
        String types = rs.getString("regression_types");
        return new MailSubscription(rs.getString("username"), rs.getString("email"), rs.getBoolean("own_requests"),
                types.isEmpty() ? List.of() : Arrays.asList(types.split(",")));
    }
}
