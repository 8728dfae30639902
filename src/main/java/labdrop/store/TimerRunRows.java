package labdrop.store;

import java.time.Instant;
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

    /** Deletes runs scheduled before {@code before}; returns how many. */
    public static int deleteBefore(Handle h, Instant before) {
        return h.createUpdate("delete from timer_runs where scheduled_at < :before").bind("before", Times.bind(before)).execute();
    }
}
