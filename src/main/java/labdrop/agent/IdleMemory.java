package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Whether the daemon should start its JVM afresh: a run loads classes and grows a heap and code
 * that the JVM never gives back (about 12 MiB: the request's XML binding, the installer, their
 * compiled code), so a daemon that idled at 58 MiB idles at 68 MiB after its first run. When a
 * poll finds nothing to do, no request has run for {@code daemon.afresh-after-idle}, and the
 * resident memory is over {@code daemon.max-idle-mib}, the daemon exits with {@link #EXIT_AFRESH}
 * and the launcher (appliance/labdrop) starts it again at once. The wait keeps requests that come
 * in a row on a warm JVM: a fresh one runs its first request about 0.5 s slower (its classes and
 * compiled code are made again; docs/performance.md, "Agent footprint"). Only a daemon the
 * launcher started ({@link #LAUNCHER_ENV}) does this: another would just stop.
 */
public final class IdleMemory {
    /** The exit code that asks the launcher to start the daemon again at once. */
    public static final int EXIT_AFRESH = 76;
    /** Set by the launcher when it starts the daemon again after {@link #EXIT_AFRESH}. */
    public static final String LAUNCHER_ENV = "LABDROP_AGENT_AFRESH";

    private final int maxMib;
    private final Duration afterIdle;
    private final Supplier<OptionalLong> residentBytes;
    private Instant lastRun;
    private long lastResident;

    /** {@code maxMib} 0: never. */
    IdleMemory(int maxMib, Duration afterIdle, Supplier<OptionalLong> residentBytes) {
        this.maxMib = maxMib;
        this.afterIdle = afterIdle;
        this.residentBytes = residentBytes;
    }

    /** This process's resident memory, from {@code /proc/self/status}. */
    public static IdleMemory ofThisProcess(int maxMib, Duration afterIdle) {
        return new IdleMemory(maxMib, afterIdle, () -> resident(Path.of("/proc/self/status")));
    }

    boolean watching() {
        return maxMib > 0;
    }

    /**
     * After each poll, ended at {@code now}: true when the daemon should start afresh now, that is
     * when this poll found nothing to do, a request ran since the daemon started, none has run
     * for the idle time, and the resident memory is over the cap.
     */
    synchronized boolean afterPoll(Agent.Outcome outcome, Instant now) {
        if (!watching()) {
            return false;
        }
        if (outcome == Agent.Outcome.RAN) {
            lastRun = now;
            return false;
        }
        if (lastRun == null || (outcome != Agent.Outcome.QUIET && outcome != Agent.Outcome.IDLE)
                || Duration.between(lastRun, now).compareTo(afterIdle) < 0) {
            return false;
        }
        OptionalLong resident = residentBytes.get();
        lastResident = resident.orElse(0);
        return resident.isPresent() && resident.getAsLong() > ((long) maxMib << 20);
    }

    /** The resident memory the last check read, in MiB. */
    synchronized double lastResidentMib() {
        return lastResident / 1048576.0;
    }

    int maxMib() {
        return maxMib;
    }

    Duration afterIdle() {
        return afterIdle;
    }

    /** VmRSS of a {@code /proc/<pid>/status} file; empty where there is none (not Linux). */
    static OptionalLong resident(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
