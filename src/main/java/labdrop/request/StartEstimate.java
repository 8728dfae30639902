package labdrop.request;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.PriorityQueue;

/**
 * When a queued request will start, from what is ahead of it: each host that can take it is free
 * at some instant (now, or when its running request is expected to end), and the requests ahead
 * are handed to the earliest free host one after another, each taking its expected run time. The
 * request starts when the earliest host is free after that. Run times come from recent runs of the
 * same tests on the same host type ({@link #expected}).
 */
public final class StartEstimate {
    /** The run time assumed when the lab has never run anything comparable. */
    public static final Duration UNKNOWN_RUN = Duration.ofMinutes(10);

    private StartEstimate() {
    }

    /**
     * @param hostsFreeAt when each host that can take the request is free (empty: nothing can take it)
     * @param ahead the expected run times of the requests those hosts take first, in order
     * @return the estimated start, never before {@code now}; null when no host can take it
     */
    public static Instant start(Instant now, List<Instant> hostsFreeAt, List<Duration> ahead) {
        if (hostsFreeAt.isEmpty()) {
            return null;
        }
        PriorityQueue<Instant> free = new PriorityQueue<>();
        hostsFreeAt.forEach(t -> free.add(t.isBefore(now) ? now : t));
        for (Duration run : ahead) {
            free.add(free.poll().plus(run));
        }
        return free.peek();
    }

    /**
     * The expected run time: the median of {@code sameTests} (recent runs of the same tests on the
     * type), else of {@code sameType} (recent runs on the type), else {@link #UNKNOWN_RUN}.
     */
    public static Duration expected(List<Duration> sameTests, List<Duration> sameType) {
        List<Duration> runs = !sameTests.isEmpty() ? sameTests : sameType;
        if (runs.isEmpty()) {
            return UNKNOWN_RUN;
        }
        List<Duration> sorted = runs.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
