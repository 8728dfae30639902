package labdrop.pkg;

import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import labdrop.retry.Backoff;

/**
 * Timeouts, bounds and retries of the fetcher: {@code readTimeout} bounds the wait for an
 * answer and every silence during a read, {@code deadline} a whole file read, {@code maxIndexBytes}
 * a repository's packages.checksum. The sleeper is injected so tests never really wait. The TLS
 * context is asked for only when a fetch goes to an https:// location: building the system's
 * (its CA store parsed, the JDK's security providers loaded) took a C1 agent 0.2 s and 200
 * classes that a run over http:// never needed.
 */
public record FetchPolicy(Duration connectTimeout, Duration readTimeout, Duration deadline, long maxIndexBytes,
                          int attempts, Duration backoff, Backoff.Sleeper sleeper, Supplier<SSLContext> tls) {

    public FetchPolicy(Duration connectTimeout, Duration readTimeout, Duration deadline, long maxIndexBytes,
                       int attempts, Duration backoff, Backoff.Sleeper sleeper) {
        this(connectTimeout, readTimeout, deadline, maxIndexBytes, attempts, backoff, sleeper, null);
    }

    /** This policy with HTTPS checked against the context {@code tls} gives when first asked (null: the system's CAs). */
    public FetchPolicy over(Supplier<SSLContext> tls) {
        return new FetchPolicy(connectTimeout, readTimeout, deadline, maxIndexBytes, attempts, backoff, sleeper, tls);
    }

    public static FetchPolicy defaults() {
        return new FetchPolicy(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(30), 8 << 20, 3,
                Duration.ofSeconds(1), Backoff.THREAD_SLEEP);
    }
}
