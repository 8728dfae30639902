package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.error.LabdropException;
import labdrop.log.LogContext;
import labdrop.request.Request;
import labdrop.retry.Backoff.Sleeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SUT's agent: a poll reads the host folder (directions, config, current requests) over the
 * configured transport, runs what it finds through {@link RequestRun}, and reports every step in
 * {@code state_file}. With the HTTP doorbell configured, a poll first asks the server whether
 * anything changed and opens the transport only when it did, when a run is under way, or every
 * {@code doorbell.safety-every} polls.
 */
public final class Agent {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    /** What one poll did. */
    public enum Outcome { IDLE, QUIET, LOAD_TOO_HIGH, WAITING, RAN, REBOOTING, UPDATED }

    /** The exit code that asks the launcher or systemd to start the agent again (after a self-update). */
    public static final int EXIT_RESTART = 75;

    private final RunContext context;
    private final DoubleSupplier load;
    private final DoorbellClient doorbell;
    private final RebootWait rebootWait = new RebootWait();
    private final JournalFile.Writer journalWriter;
    /** Why the announced release was refused (SHA-256 of the release it concerns, and the reason); not retried. */
    private String refusedRelease;
    private String refusal;
    private final PlacementFence fence;
    /** The last stale request file refused (docs/cluster.md), reported once with the next idle state. */
    private String fenced;

    public Agent(AgentConfig config, Clock clock, Random random) {
        this(config, clock, random, Agent::loadAverage);
    }

    /** {@code load} gives the 1-minute load average (/proc/loadavg unless a test says otherwise). */
    Agent(AgentConfig config, Clock clock, Random random, DoubleSupplier load) {
        this(config, clock, random, load, d -> Thread.sleep(d.toMillis()));
    }

    /** {@code sleeper} makes every wait: jitter, backoff (a test records the waits instead of waiting). */
    Agent(AgentConfig config, Clock clock, Random random, DoubleSupplier load, Sleeper sleeper) {
        this(new RunContext(config, clock, sleeper, random, runningVersion()), load, AtomicFiles::write);
    }

    /** {@code journalWriter} puts journal.json on disk (a test makes it stop the agent at a chosen write). */
    Agent(RunContext context, DoubleSupplier load, JournalFile.Writer journalWriter) {
        this.context = context;
        this.load = load;
        this.journalWriter = journalWriter;
        this.doorbell = new DoorbellClient(context);
        this.fence = new PlacementFence(context.work());
    }

    private static String runningVersion() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    DoorbellClient doorbell() {
        return doorbell;
    }

    RunContext context() {
        return context;
    }

    /** One poll. Throws when the drop cannot be reached after the configured attempts. */
    public Outcome poll() throws IOException, InterruptedException {
        try (LogContext ignored = LogContext.host(context.config().host())) {
            return pollOnce();
        }
    }

    private Outcome pollOnce() throws IOException, InterruptedException {
        AgentConfig config = context.config();
        Path mirror = context.mirror();
        Files.createDirectories(context.work());
        JournalFile journal = JournalFile.open(context.work(), journalWriter);
        Journal j = journal.current();
        if (!j.active() && Files.isDirectory(mirror.resolve(DropLayout.CONFIG))) {
            double max = Effective.of(config, mirror).maxLoad();
            double now = load.getAsDouble();
            if (max > 0 && now > max) {
                LOG.info("poll skipped: load {} is above max_load {}", now, max);
                return Outcome.LOAD_TOO_HIGH;
            }
        }
        if (!j.active() && j.lastState() != null && doorbell.quiet()) {
            return Outcome.QUIET;
        }
        TransportRetry retry = new TransportRetry(context);
        try (DropTransport transport = Transports.open(config)) {
            retry.run("read " + transport.describe(), transport, () -> transport.pull(mirror));
            Effective effective = Effective.of(config, mirror);
            StateReporter reporter = new StateReporter(context, journal, transport, retry, () -> refusal);
            RequestRun run = new RequestRun(context, journal, transport, retry, reporter, effective, rebootWait);
            if (j.active()) {
                try (LogContext ignored = LogContext.request(null, j.request())) {
                    return run.resume();
                }
            }
            List<String> waiting = new ArrayList<>();
            for (String id : currentRequests()) {
                if (j.hasFinished(id)) {
                    retry.run("remove finished " + id, transport, () -> transport.removeRequest(id));
                } else {
                    waiting.add(id);
                }
            }
            List<PlacementFence.Stale> stale = fence.stale(mirror.resolve(DropLayout.CURRENT), waiting);
            for (PlacementFence.Stale late : stale) {
                LOG.warn(late.reason());
                retry.run("remove stale " + late.id(), transport, () -> transport.removeRequest(late.id()));
                waiting.remove(late.id());
                fenced = late.reason();
            }
            Outcome updated = selfUpdate(reporter, effective);
            if (updated != null) {
                return updated;
            }
            if (waiting.isEmpty()) {
                reporter.report("Available", null, null, refusal != null ? refusal : fenced != null ? fenced : effective.problem());
                fenced = null;
                return Outcome.IDLE;
            }
            String next = waiting.get(0);
            if (!effective.flag("auto_retrieve")) {
                reporter.report("Pending", next, null, "work is waiting (" + String.join(", ", waiting)
                        + ") and auto_retrieve = false on this host: nothing runs until an admin or the owner sets it to true");
                return Outcome.WAITING;
            }
            try (LogContext ignored = LogContext.request(null, next)) {
                return run.start(next);
            }
        }
    }

    /** Between requests: installs a newer announced release (UPDATED: restart into it), or null to go on. */
    private Outcome selfUpdate(StateReporter reporter, Effective effective) throws IOException, InterruptedException {
        AgentUpdate.Release release;
        try {
            release = AgentUpdate.announced(context.mirror());
        } catch (BadInputException e) {
            refusal = "agent update ignored: " + e.getMessage();
            return null;
        }
        if (release == null || !AgentUpdate.newer(release, context.version())) {
            refusal = null;
            return null;
        }
        if (release.sha256().equals(refusedRelease)) {
            return null;
        }
        reporter.report("Available", null, "updating the agent to " + release.version(), null);
        try {
            AgentUpdate.install(context, release, effective.fetchLocations(context.config()));
        } catch (LabdropException | IOException e) {
            refusedRelease = release.sha256();
            refusal = "agent update to " + release.version() + " refused: " + e.getMessage() + "; still running " + context.version();
            LOG.warn(refusal);
            reporter.report("Available", null, null, refusal);
            return null;
        }
        reporter.report("Available", null, null, "agent " + context.version() + " updated to " + release.version() + "; restarting");
        return Outcome.UPDATED;
    }

    /** Request ids in the mirrored current/, lowest number first. */
    private List<String> currentRequests() throws IOException {
        try (Stream<Path> files = Files.list(context.mirror().resolve(DropLayout.CURRENT))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml"))
                    .map(n -> n.substring(0, n.length() - 4)).filter(Names::isValid)
                    .sorted(Comparator.comparingLong(Request::numberOf)
                            .thenComparing(Comparator.naturalOrder()))
                    .toList();
        }
    }

    static double loadAverage() {
        try {
            String text = Files.readString(Path.of("/proc/loadavg"));
            return Double.parseDouble(text.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
