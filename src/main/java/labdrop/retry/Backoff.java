package labdrop.retry;

import java.time.Duration;
import java.util.Random;

/**
 * The one backoff of labdrop's retries (the agent's transport steps, the package fetcher, the
 * store's connections): {@code attempts} tries, the wait after a failed one starting at
 * {@code first} and doubling, plus up to half again of random jitter when {@code random} is
 * given (so a lab's SUTs do not retry in lock-step), through an injected {@link Sleeper} that
 * tests replace.
 */
public record Backoff(int attempts, Duration first, Sleeper sleeper, Random random) {
    /** Every wait of a retry goes through this; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Sleeps on the calling thread. */
    public static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis());

    public Backoff {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
        }
    }

    /** Whether failed attempt {@code failed} (counted from 1) may be followed by another. */
    public boolean another(int failed) {
        return failed < attempts;
    }

    /** The wait after failed attempt {@code failed}: {@code first} doubled per earlier failure, plus jitter. */
    public Duration waitAfter(int failed) {
        long millis = first.toMillis() << Math.min(failed - 1, 20);
        long jitter = random == null ? 0 : random.nextInt((int) Math.max(1, Math.min(Integer.MAX_VALUE, millis / 2)));
        return Duration.ofMillis(millis + jitter);
    }

    /** Sleeps the wait after failed attempt {@code failed}. */
    public void pause(int failed) throws InterruptedException {
        sleeper.sleep(waitAfter(failed));
    }
}
