package labdrop.pkg;

import java.time.Duration;

/** Timeouts and retries of the fetcher; the sleeper is injected so tests never really wait. */
public record FetchPolicy(Duration connectTimeout, Duration readTimeout, int attempts, Duration backoff,
                          Sleeper sleeper) {

    /** Waits between attempts. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public static FetchPolicy defaults() {
        return new FetchPolicy(Duration.ofSeconds(10), Duration.ofSeconds(60), 3, Duration.ofSeconds(1),
                d -> Thread.sleep(d.toMillis()));
    }
}
