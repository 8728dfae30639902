package labdrop.pkg;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import labdrop.config.Durations;

/**
 * An HTTP body read with a total deadline and a longest silence: when either passes, the
 * connection is aborted (which ends a blocked read) and the read fails naming the rule; a socket
 * read timeout is the same silence rule. A repository that drips or stalls holds the agent for at
 * most that long.
 */
final class WatchedInput extends FilterInputStream {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "labdrop-fetch-deadline");
        t.setDaemon(true);
        return t;
    });
    private final String what;
    private final Duration deadline;
    private final Duration idle;
    private final long deadlineAt;
    private final Runnable abort;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress = System.nanoTime();
    private volatile String expired;

    /** {@code abort} drops the connection from the timer's thread (closing a pooled HTTP body may not). */
    WatchedInput(InputStream body, Runnable abort, String what, Duration deadline, Duration idle) {
        super(body);
        this.abort = abort;
        this.what = what;
        this.deadline = deadline;
        this.idle = idle;
        this.deadlineAt = System.nanoTime() + deadline.toNanos();
        long every = Math.max(50, Math.min(1000, Math.min(deadline.toMillis(), idle.toMillis()) / 4));
        this.check = TIMER.scheduleAtFixedRate(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    private void check() {
        long now = System.nanoTime();
        if (now - deadlineAt > 0) {
            expire(what + " took longer than " + Durations.text(deadline) + " in all (fetch.deadline)");
        } else if (now - lastProgress > idle.toNanos()) {
            expire(silence());
        }
    }

    private void expire(String why) {
        expired = why;
        check.cancel(false);
        abort.run();
    }

    private String silence() {
        return what + " sent nothing for " + Durations.text(idle) + " (ssh.timeout)";
    }

    @Override
    public int read() throws IOException {
        return SingleByte.read(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (SocketTimeoutException e) {
            throw new IOException(expired == null ? silence() : expired, e);
        } catch (IOException e) {
            throw expired == null ? e : new IOException(expired, e);
        }
        if (expired != null) {
            throw new IOException(expired);
        }
        if (n > 0) {
            lastProgress = System.nanoTime();
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }

}
