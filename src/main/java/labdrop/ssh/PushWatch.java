package labdrop.ssh;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Holds an rsync push to its host folder's quota while it runs: the host folder (with its
 * quarantine) is measured every {@link #EVERY} and, before more of the client's data is passed
 * on, after every {@link #GATE_BYTES} of it; the measurement raises the host's shared quota
 * tracker (so SFTP sessions writing at the same time see what the push wrote), and once the
 * tracker passes either quota the push is stopped with the reason. One push overshoots by about
 * what it writes from one gate's worth of data.
 */
final class PushWatch implements AutoCloseable {
    static final Duration EVERY = Duration.ofMillis(100);
    static final long GATE_BYTES = 1 << 20;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "labdrop-rsync-quota");
        t.setDaemon(true);
        return t;
    });
    private final Path hostDir;
    private final Path quarantine;
    private final Sessions.Quota quota;
    private final Consumer<String> stop;
    private final ScheduledFuture<?> check;
    private volatile String stopped;
    private long sinceCheck;
    private volatile long lastCheck = System.nanoTime();
    /** At least {@link #EVERY}, and four times the last measurement, so measuring a big folder takes at most a fifth of a core. */
    private volatile long pause = EVERY.toNanos();

    /** Watches the host folder and its quarantine against the host's {@code quota}; {@code stop} ends the push. */
    PushWatch(Path hostDir, Path quarantine, Sessions.Quota quota, Consumer<String> stop) {
        this.hostDir = hostDir;
        this.quarantine = quarantine;
        this.quota = quota;
        this.stop = stop;
        this.check = TIMER.scheduleWithFixedDelay(this::due, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Called by the pump with each piece of the client's data before it reaches rsync: measures
     * (holding the data back meanwhile) once a gate's worth of data or time has passed. Returns
     * false once the push is stopped.
     */
    boolean passing(int bytes) {
        sinceCheck += bytes;
        if (sinceCheck >= GATE_BYTES || System.nanoTime() - lastCheck >= pause) {
            check();
        }
        return stopped == null;
    }

    private void due() {
        if (System.nanoTime() - lastCheck >= pause) {
            check();
        }
    }

    private synchronized void check() {
        sinceCheck = 0;
        lastCheck = System.nanoTime();
        if (stopped != null) {
            return;
        }
        try {
            long start = System.nanoTime();
            measure();
            pause = Math.max(EVERY.toNanos(), 4 * (System.nanoTime() - start));
            String over = quota.overBy(0, 0);
            if (over != null) {
                stopped = over;
                check.cancel(false);
                stop.accept(over);
            }
        } catch (IOException | RuntimeException e) {
            // the folder changed under the walk; the next check measures again
        }
    }

    private void measure() throws IOException {
        long[] now = usage(hostDir);
        long[] refused = usage(quarantine);
        quota.observe(new long[] {now[0] + refused[0], now[1] + refused[1]});
    }

    /** Why the push was stopped, or null. */
    String stopped() {
        return stopped;
    }

    /**
     * Bytes of regular files and entries under {@code dir} (nothing when it does not exist yet).
     * Entries that vanish during the walk (rsync's temporary files, renamed as it goes) are
     * skipped rather than ending the walk, so a folder being written to is still measured.
     */
    static long[] usage(Path dir) throws IOException {
        long[] usage = new long[2];
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return usage;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                usage[1]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path p, BasicFileAttributes a) {
                usage[0] += a.isRegularFile() ? a.size() : 0;
                usage[1]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path p, IOException gone) {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException gone) {
                return FileVisitResult.CONTINUE;
            }
        });
        return usage;
    }

    /** Stops watching; a last measurement leaves what the push wrote counted in the host's quota. */
    @Override
    public void close() {
        check.cancel(false);
        try {
            measure();
        } catch (IOException | RuntimeException e) {
            // the next session measures the folder afresh
        }
    }
}
