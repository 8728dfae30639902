package labdrop.gateway;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's long-poll of its lab's doorbell on the server ({@link LabPoll}: over HTTP with the
 * lab's token, or on a channel of the SSH connection): held until one of the lab's hosts changes (a
 * placement, a removal, a config change, a new doorbell token) or {@link #HOLD} passes, then asked
 * again at once. Each answer that differs from the last goes to {@code onAnswer}. A server that
 * has no lab doorbell (older than the gateway) turns the doorbell off: the gateway then syncs every
 * host on every tick, as before.
 */
final class LabDoorbell implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabDoorbell.class);
    /** How long the server holds a poll: under the 60 s idle cut of common firewalls and proxies. */
    static final Duration HOLD = Duration.ofSeconds(50);
    /** The pause after the server refused the lab's credential (a token being replaced). */
    private static final Duration REFUSED_PAUSE = Duration.ofSeconds(30);
    private final LabPoll poll;
    private final Consumer<Answer> onAnswer;
    private final Duration retry;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean supported = true;
    private volatile String tag = "-";
    private volatile boolean healthy;
    private String refusal;
    /** Why the last poll failed; null after an answer. */
    private volatile String problem;

    /** One answer: the lab's tag, and per host its generation and doorbell token hash (empty: none). */
    record Answer(String tag, Map<String, Long> generations, Map<String, String> tokenHashes) {
    }

    LabDoorbell(LabPoll poll, Duration retry, Consumer<Answer> onAnswer) {
        this.poll = poll;
        this.retry = retry;
        this.onAnswer = onAnswer;
        this.thread = new Thread(this::run, "labdrop-gateway-doorbell");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** False once the server answered that it has no lab doorbell. */
    boolean supported() {
        return supported;
    }

    /** True while the doorbell tells the gateway of every change: its last poll was answered and none failed since. */
    boolean healthy() {
        return healthy && supported;
    }

    private void run() {
        while (running) {
            try {
                Answer answer = poll.poll(tag, HOLD);
                healthy = true;
                problem = null;
                if (refusal != null) {
                    LOG.info("the server answers the lab's doorbell again");
                    refusal = null;
                }
                if (answer != null && !answer.tag().equals(tag)) {
                    tag = answer.tag();
                    onAnswer.accept(answer);
                }
            } catch (LabPoll.Busy e) {
                // an earlier poll of this lab (a restarted gateway's) is still held on the server
                sleep(retry);
            } catch (LabPoll.Unsupported e) {
                problem = "the server has none: " + e.getMessage();
                LOG.warn("the server has no lab doorbell ({}); every host is synced on every tick", e.getMessage());
                supported = false;
                return;
            } catch (LabPoll.Refused e) {
                failed();
                problem = e.getMessage();
                if (!e.getMessage().equals(refusal)) {
                    LOG.warn("lab doorbell: {}; every host is synced on every tick until it answers", e.getMessage());
                    refusal = e.getMessage();
                }
                sleep(REFUSED_PAUSE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.debug("doorbell poll failed: {}", e.toString());
                failed();
                problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                sleep(retry);
            }
        }
    }

    /** For the status: "answering", or why not. */
    String describe() {
        if (healthy()) {
            return "answering";
        }
        String why = problem;
        return why == null ? "not answered yet" : "not answering: " + why;
    }

    /** After a failed poll every host is synced each tick, and the next answer is news whatever it says. */
    private void failed() {
        healthy = false;
        tag = "-";
    }

    /** Parses {@code tag T} and {@code host NAME GENERATION TOKEN} lines. */
    static Answer parse(String text) {
        String tag = null;
        Map<String, Long> generations = new TreeMap<>();
        Map<String, String> tokens = new TreeMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length == 2 && f[0].equals("tag")) {
                tag = f[1];
            } else if (f.length == 4 && f[0].equals("host")) {
                generations.put(f[1], Long.parseLong(f[2]));
                tokens.put(f[1], f[3].equals("-") ? "" : f[3]);
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException("unexpected doorbell line '" + line + "'");
            }
        }
        if (tag == null) {
            throw new IllegalArgumentException("the doorbell's answer has no tag");
        }
        return new Answer(tag, generations, tokens);
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            running = false;
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        poll.abort();
        thread.interrupt();
    }
}
