package labdrop.agent;

import java.io.IOException;
import labdrop.retry.Backoff;
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
        Backoff backoff = new Backoff(attempts, context.config().backoff(), context.sleeper(), context.random());
        for (int attempt = 1; ; attempt++) {
            try {
                step.run();
                return;
            } catch (IOException e) {
                boolean retryable = !(e instanceof TransportException te) || te.retryable();
                if (!retryable || !backoff.another(attempt)) {
                    throw new IOException("cannot " + what + " (attempt " + attempt + " of " + attempts + "): "
                            + e.getMessage(), e);
                }
                LOG.warn("{} failed (attempt {} of {}): {}", what, attempt, attempts, e.getMessage());
                transport.close();
                backoff.pause(attempt);
            }
        }
    }
}
