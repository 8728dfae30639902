package labdrop.agent;

import java.io.IOException;
import java.time.Duration;
import labdrop.retry.Backoff.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent daemon's long-poll of the doorbell: one thread that keeps a poll open on the server
 * for up to {@code doorbell.wait} and asks for a poll of the drop at once when the server answers
 * that the host changed, so work filed for an idle host starts within a second instead of at the
 * next scheduled poll. The scheduled polls go on as before and are the fallback: when the server
 * cannot be reached, refuses, or answers at once instead of holding the poll (a server without
 * long-polling, a proxy that cuts it), this thread pauses (5 s, doubling to 5 minutes) and tries
 * again.
 */
final class DoorbellListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DoorbellListener.class);
    static final Duration FIRST_PAUSE = Duration.ofSeconds(5);
    static final Duration LONGEST_PAUSE = Duration.ofMinutes(5);

    private final DoorbellClient client;
    private final Duration wait;
    private final Sleeper sleeper;
    private final Runnable pollNow;
    private final Thread thread;
    private volatile boolean closed;

    DoorbellListener(DoorbellClient client, Duration wait, Sleeper sleeper, Runnable pollNow, String host) {
        this.client = client;
        this.wait = wait;
        this.sleeper = sleeper;
        this.pollNow = pollNow;
        this.thread = new Thread(this::listen, "labdrop-doorbell-" + host);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void listen() {
        String etag = client.lastEtag();
        Duration pause = FIRST_PAUSE;
        boolean warned = false;
        while (!closed) {
            String problem;
            long started = System.nanoTime();
            try {
                DoorbellClient.Answer answer = client.waitForChange(etag);
                if (answer.status() == 200) {
                    etag = answer.etag();
                    LOG.debug("doorbell rang ({}); polling now", etag);
                    pollNow.run();
                    pause = FIRST_PAUSE;
                    warned = false;
                    continue;
                }
                if (answer.status() == 304 && Duration.ofNanos(System.nanoTime() - started).compareTo(wait.dividedBy(2)) >= 0) {
                    pause = FIRST_PAUSE;
                    warned = false;
                    continue;
                }
                problem = answer.status() == 304 ? "answered at once instead of holding the poll (a server or proxy without"
                        + " long-polling?)" : "answered " + answer.status();
            } catch (IOException e) {
                problem = "unreachable (" + e + ")";
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            if (!warned) {
                LOG.warn("doorbell long-poll: the server {}; polling on schedule, trying again in {} (and less often while it lasts)",
                        problem, pause);
                warned = true;
            } else {
                LOG.debug("doorbell long-poll: the server {}; trying again in {}", problem, pause);
            }
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
