package labdrop.store;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Rows of timer_runs: each run of a lab-wide timer, the tick it was scheduled for, and the node that ran it. */
public final class TimerRunRows {
    private TimerRunRows() {
    }

    /** One run of a lab-wide timer. */
    public record Run(String timer, Instant scheduledAt, String node, Instant ranAt) {
    }

    public static void insert(Handle h, Run run) {
        h.createUpdate("insert into timer_runs (timer, scheduled_at, node_id, ran_at) values (:timer, :scheduled, :node, :ran)")
                .bind("timer", run.timer()).bind("scheduled", Times.bind(run.scheduledAt())).bind("node", run.node())
                .bind("ran", Times.bind(run.ranAt())).execute();
    }

    /** The runs of {@code timer} scheduled at or after {@code since}, oldest tick first. */
    public static List<Run> since(Handle h, String timer, Instant since) {
        return h.createQuery("""
                select * from timer_runs where timer = :timer and scheduled_at >= :since order by scheduled_at, ran_at""")
                .bind("timer", timer).bind("since", Times.bind(since))
                .map((rs, ctx) -> new Run(rs.getString("timer"), Times.read(rs, "scheduled_at"), rs.getString("node_id"),
                        Times.read(rs, "ran_at")))
                .list();
    }

    /** Deletes runs scheduled before {@code before}; returns how many. */
    public static int deleteBefore(Handle h, Instant before) {
        return h.createUpdate("delete from timer_runs where scheduled_at < :before").bind("before", Times.bind(before)).execute();
    }
}
