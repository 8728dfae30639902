package labdrop.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether the server can serve: named probes (the store answers, the drop is writable, free disk,
 * the SSH server listens, the placer keeps up), each run on its own daemon thread and given
 * {@code timeout} to answer, so a hung store shows as a failed check instead of a hung
 * {@code /readyz}. A report is computed at most once per second whoever asks: an anonymous flood of
 * {@code /readyz} costs one round of probes a second.
 */
public final class Readiness implements AutoCloseable {
    /** One probe: null when all is well, else what is wrong and what to do. */
    @FunctionalInterface
    public interface Probe {
        String problem() throws Exception;
    }

    public record Check(String name, boolean ok, String detail) {
    }

    public record Report(boolean ready, Instant at, List<Check> checks) {
        public List<Check> failing() {
            return checks.stream().filter(c -> !c.ok()).toList();
        }
    }

    /** How long a report is reused. */
    static final Duration FRESH = Duration.ofSeconds(1);
    private final Map<String, Probe> probes = new LinkedHashMap<>();
    private final Map<String, Future<String>> running = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Clock clock;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "labdrop-readiness");
        t.setDaemon(true);
        return t;
    });
    private Report last;

    public Readiness(Duration timeout, Clock clock) {
        this.timeout = timeout;
        this.clock = clock;
    }

    public synchronized Readiness add(String name, Probe probe) {
        probes.put(name, probe);
        last = null;
        return this;
    }

    /** The checks, in the order they were added; reused for a second. */
    public synchronized Report report() {
        Instant now = clock.instant();
        if (last != null && now.isBefore(last.at().plus(FRESH))) {
            return last;
        }
        Map<String, Future<String>> asked = new LinkedHashMap<>();
        probes.forEach((name, probe) -> asked.put(name, running.computeIfAbsent(name, n -> threads.submit(probe::problem))));
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Check> checks = new ArrayList<>();
        for (Map.Entry<String, Future<String>> e : asked.entrySet()) {
            checks.add(check(e.getKey(), e.getValue(), deadline));
        }
        last = new Report(checks.stream().allMatch(Check::ok), now, List.copyOf(checks));
        return last;
    }

    private Check check(String name, Future<String> answer, long deadline) {
        try {
            String problem = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            running.remove(name);
            return new Check(name, problem == null, problem == null ? "ok" : problem);
        } catch (TimeoutException e) {
            // Left running: the next report waits for the same answer instead of piling up probes.
            return new Check(name, false, "no answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            running.remove(name);
            Throwable cause = e.getCause();
            return new Check(name, false, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(name, false, "interrupted");
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
