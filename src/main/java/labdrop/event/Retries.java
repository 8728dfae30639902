package labdrop.event;

import java.time.Duration;
import java.time.Instant;

/**
 * When to try a failed delivery again: {@code first} after the first failure, doubling up to
 * {@code longest}; a delivery still failing {@code giveUpAfter} after its event is given up.
 */
public record Retries(Duration first, Duration longest, Duration giveUpAfter) {

    public Retries {
        if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0) {
            throw new IllegalArgumentException("retry delays must be positive, the longest at least the first");
        }
    }

    /** The wait after {@code failures} failures in a row (1 or more). */
    public Duration after(int failures) {
        Duration delay = first;
        for (int i = 1; i < failures && delay.compareTo(longest) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(longest) > 0 ? longest : delay;
    }

    public boolean givenUp(Instant created, Instant now) {
        return !created.plus(giveUpAfter).isAfter(now);
    }
}
