package labdrop.agent;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a transport step, retrying what may succeed later (broken connections, timeouts) up to
 * {@code transport.attempts} times with exponential backoff from {@code transport.backoff} plus
 * jitter; the transport's connection is dropped between attempts.
 */
final class TransportRetry {
    private static final Logger LOG = LoggerFactory.getLogger(TransportRetry.class);

    /** One transport step. */
    @FunctionalInterface
    interface Step {
        void run() throws IOException;
    }

    private final RunContext context;

    TransportRetry(RunContext context) {
        this.context = context;
    }

    void run(String what, DropTransport transport, Step step) throws IOException, InterruptedException {
        int attempts = context.config().attempts();
        for (int attempt = 1; ; attempt++) {
            try {
                step.run();
                return;
            } catch (IOException e) {
                boolean retryable = !(e instanceof TransportException te) || te.retryable();
                if (!retryable || attempt >= attempts) {
                    throw new IOException("cannot " + what + " (attempt " + attempt + " of " + attempts + "): "
                            + e.getMessage(), e);
                }
                LOG.warn("{} failed (attempt {} of {}): {}", what, attempt, attempts, e.getMessage());
                transport.close();
                context.sleeper().sleep(backoff(attempt));
            }
        }
    }

    /** The wait after failed attempt {@code attempt}: the backoff doubled per attempt, plus up to half again. */
    private Duration backoff(int attempt) {
        long millis = context.config().backoff().toMillis() << (attempt - 1);
        return Duration.ofMillis(millis + context.random().nextInt((int) Math.max(1, millis / 2)));
    }
}
