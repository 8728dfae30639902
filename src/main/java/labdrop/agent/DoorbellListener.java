package labdrop.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import labdrop.retry.Backoff.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent daemon's long-poll of the doorbell: one thread that keeps a poll open on the server
 * for up to {@code doorbell.wait} and asks for a poll of the drop at once when the server answers
 * that the host changed, so work filed for an idle host starts within a second instead of at the
 * next scheduled poll. The scheduled polls go on as before and are the fallback: when the server
 * cannot be reached, refuses, or answers at once instead of holding the poll (a server without
 * long-polling), this thread pauses (5 s, doubling to 5 minutes) and tries again.
 *
 * <p>A proxy between the SUT and the server may cut a request that stays quiet for longer than its
 * own timeout (nginx's {@code proxy_read_timeout}, HAProxy's {@code timeout server}, both 60 s by
 * default, often less): the poll then ends, after being held a while, in a gateway error (502, 503,
 * 504) or a closed connection. Such a cut lowers the hold to three quarters of how long the poll
 * lasted and the next poll is sent at once, so the agent settles below the proxy's timeout by
 * itself (docs/agent.md, "Behind a proxy").
 */
final class DoorbellListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DoorbellListener.class);
    static final Duration FIRST_PAUSE = Duration.ofSeconds(5);
    static final Duration LONGEST_PAUSE = Duration.ofMinutes(5);
    /** A poll that ends in an error after being held at least this long was cut by something on the way. */
    static final Duration CUT_AFTER = Duration.ofSeconds(4);

    private final DoorbellClient client;
    private static final Set<Integer> GATEWAY_ERRORS = Set.of(502, 503, 504);
    private volatile Duration hold;
    private final Sleeper sleeper;
    private final Runnable pollNow;
    private final Thread thread;
    private volatile boolean closed;

    DoorbellListener(DoorbellClient client, Duration wait, Sleeper sleeper, Runnable pollNow, String host) {
        this.client = client;
        this.hold = wait;
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
                DoorbellClient.Answer answer = client.waitForChange(etag, hold);
                if (answer.status() == 200) {
                    etag = answer.etag();
                    LOG.debug("doorbell rang ({}); polling now", etag);
                    pollNow.run();
                    pause = FIRST_PAUSE;
                    warned = false;
                    continue;
                }
                if (answer.status() == 304 && Duration.ofNanos(System.nanoTime() - started).compareTo(hold.dividedBy(2)) >= 0) {
                    pause = FIRST_PAUSE;
                    warned = false;
                    continue;
                }
                if (GATEWAY_ERRORS.contains(answer.status()) && cut(started, "answered " + answer.status())) {
                    continue;
                }
                problem = answer.status() == 304 ? "answered at once instead of holding the poll (a server or proxy without"
                        + " long-polling?)" : "answered " + answer.status();
            } catch (IOException e) {
                if (cut(started, "closed the connection (" + e + ")")) {
                    continue;
                }
                problem = "unreachable (" + e + ")";
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

    /** The hold the next poll asks for. */
    Duration hold() {
        return hold;
    }

    /**
     * When a poll that ended in {@code how} had been held long enough to have been cut on the way,
     * lowers the hold below the time it lasted and says so; false when it was an ordinary failure.
     */
    private boolean cut(long started, String how) {
        Duration lasted = Duration.ofNanos(System.nanoTime() - started);
        if (closed || lasted.compareTo(CUT_AFTER) < 0 || lasted.compareTo(hold) >= 0) {
            return false;
        }
        Duration lower = Duration.ofSeconds(lasted.multipliedBy(3).dividedBy(4).toSeconds());
        LOG.warn("doorbell long-poll: a poll held for {} s was cut after {} s ({}), as a proxy does at its own idle timeout;"
                + " holding polls for {} s from now on. Set doorbell.wait below the proxy's timeout to start there",
                hold.toSeconds(), lasted.toSeconds(), how, lower.toSeconds());
        hold = lower;
        return true;
    }

    @Override
    public void close() {
        closed = true;
        client.abort();
        thread.interrupt();
    }
}
