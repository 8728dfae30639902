package labdrop.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The one clock tests hand to the code: real time or a fixed start, plus an offset the test moves
 * forward ({@link #advance}), and optionally a step on every read so that every instant the code
 * takes is its own and later than the one before. Windows, throttles and deadlines pass without
 * sleeping.
 */
public final class TestClock extends Clock {
    private final Instant start;
    private final Duration step;
    private Duration offset = Duration.ZERO;

    private TestClock(Instant start, Duration step) {
        this.start = start;
        this.step = step;
    }

    /** Real time, moved on only by {@link #advance} (a running server's timers keep their pace). */
    public static TestClock real() {
        return new TestClock(null, Duration.ZERO);
    }

    /** Stands at {@code start} until the test advances it. */
    public static TestClock at(String start) {
        return new TestClock(Instant.parse(start), Duration.ZERO);
    }

    /** Starts at {@code start} and moves on by {@code step} every time it is read. */
    public static TestClock ticking(String start, Duration step) {
        return new TestClock(Instant.parse(start), step);
    }

    public synchronized void advance(Duration by) {
        offset = offset.plus(by);
    }

    @Override
    public synchronized Instant instant() {
        offset = offset.plus(step);
        return (start == null ? Instant.now() : start).plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
