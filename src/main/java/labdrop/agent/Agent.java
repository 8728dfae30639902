package labdrop.agent;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import labdrop.drop.DropLayout;
import labdrop.drop.Names;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.StateDoc;
import labdrop.drop.xml.XmlFormat;
import labdrop.error.BadInputException;
import labdrop.error.LabdropException;
import labdrop.pkg.FetchPolicy;
import labdrop.pkg.Installer;
import labdrop.request.Request;
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

    final AgentConfig config;
    final Clock clock;
    final Random random;
    final Path work;
    final Path mirror;
    final Path installRoot;
    final Path cache;
    final String version;
    private final HttpClient http;
    /** Why the announced release was refused (SHA-256 of the release it concerns, and the reason); not retried. */
    private String refusedRelease;
    private String refusal;
    /** Set when this process ran the reboot command: it waits for the reboot instead of reporting that none happened. */
    Instant rebootIssuedAt;

    private final DoubleSupplier load;
    final FetchPolicy.Sleeper sleeper;

    public Agent(AgentConfig config, Clock clock, Random random) {
        this(config, clock, random, Agent::loadAverage);
    }

    /** {@code load} gives the 1-minute load average (/proc/loadavg unless a test says otherwise). */
    Agent(AgentConfig config, Clock clock, Random random, DoubleSupplier load) {
        this(config, clock, random, load, d -> Thread.sleep(d.toMillis()));
    }

    /** {@code sleeper} makes the schedule's jitter wait (a test records the waits instead of waiting). */
    Agent(AgentConfig config, Clock clock, Random random, DoubleSupplier load,
          FetchPolicy.Sleeper sleeper) {
        this.sleeper = sleeper;
        this.load = load;
        this.config = config;
        this.clock = clock;
        this.random = random;
        this.work = config.workDir();
        this.mirror = work.resolve("mirror");
        this.installRoot = work.resolve("install");
        this.cache = work.resolve("cache");
        String v = Agent.class.getPackage().getImplementationVersion();
        this.version = v == null ? "dev" : v;
        this.http = HttpClient.newBuilder().connectTimeout(config.ssh().connectTimeout()).sslContext(config.sslContext())
                .build();
    }

    /** One poll. Throws when the drop cannot be reached after the configured attempts. */
    public Outcome poll() throws IOException, InterruptedException {
        Files.createDirectories(work);
        Journal journal = Journal.load(work);
        if (!journal.active() && Files.isDirectory(mirror.resolve(DropLayout.CONFIG))) {
            double max = Effective.of(config, mirror).maxLoad();
            double now = load.getAsDouble();
            if (max > 0 && now > max) {
                LOG.info("poll skipped: load {} is above max_load {}", now, max);
                return Outcome.LOAD_TOO_HIGH;
            }
        }
        if (!journal.active() && journal.lastState != null && doorbellQuiet(journal)) {
            return Outcome.QUIET;
        }
        try (DropTransport transport = Transports.open(config)) {
            retry("read " + transport.describe(), transport, () -> transport.pull(mirror));
            Effective effective = Effective.of(config, mirror);
            Reporter reporter = new Reporter(this, journal, transport);
            if (journal.active()) {
                return new RequestRun(this, journal, transport, reporter, effective).resume();
            }
            List<String> ids = currentRequests();
            List<String> waiting = new ArrayList<>();
            for (String id : ids) {
                if (journal.hasFinished(id)) {
                    retry("remove finished " + id, transport, () -> transport.removeRequest(id));
                } else {
                    waiting.add(id);
                }
            }
            Outcome updated = selfUpdate(reporter, effective);
            if (updated != null) {
                return updated;
            }
            if (waiting.isEmpty()) {
                reporter.report("Available", null, null, refusal != null ? refusal : effective.problem());
                return Outcome.IDLE;
            }
            String next = waiting.get(0);
            if (!effective.flag("auto_retrieve")) {
                reporter.report("Pending", next, null, "work is waiting (" + String.join(", ", waiting)
                        + ") and auto_retrieve = false on this host: nothing runs until an admin or the owner sets it to true");
                return Outcome.WAITING;
            }
            return new RequestRun(this, journal, transport, reporter, effective).start(next);
        }
    }

    /** Between requests: installs a newer announced release (UPDATED: restart into it), or null to go on. */
    private Outcome selfUpdate(Reporter reporter, Effective effective) throws IOException, InterruptedException {
        AgentUpdate.Release release;
        try {
            release = AgentUpdate.announced(mirror);
        } catch (BadInputException e) {
            refusal = "agent update ignored: " + e.getMessage();
            return null;
        }
        if (release == null || !AgentUpdate.newer(release, version)) {
            refusal = null;
            return null;
        }
        if (release.sha256().equals(refusedRelease)) {
            return null;
        }
        reporter.report("Available", null, "updating the agent to " + release.version(), null);
        try {
            AgentUpdate.install(this, release, effective.fetchLocations(config));
        } catch (LabdropException | IOException e) {
            refusedRelease = release.sha256();
            refusal = "agent update to " + release.version() + " refused: " + e.getMessage() + "; still running " + version;
            LOG.warn(refusal);
            reporter.report("Available", null, null, refusal);
            return null;
        }
        reporter.report("Available", null, null, "agent " + version + " updated to " + release.version() + "; restarting");
        return Outcome.UPDATED;
    }

    /** Request ids in the mirrored current/, lowest number first. */
    private List<String> currentRequests() throws IOException {
        try (Stream<Path> files = Files.list(mirror.resolve(DropLayout.CURRENT))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml"))
                    .map(n -> n.substring(0, n.length() - 4)).filter(Names::isValid)
                    .sorted(Comparator.comparingLong(Request::numberOf)
                            .thenComparing(Comparator.naturalOrder()))
                    .toList();
        }
    }

    /**
     * A conditional GET of the host's generation: true when the server answers 304 and the safety
     * net is not due. Any other answer (a change, an error, no doorbell) means: open the transport.
     */
    private boolean doorbellQuiet(Journal journal) throws IOException, InterruptedException {
        AgentConfig.Doorbell bell = config.doorbell();
        if (!bell.enabled()) {
            return false;
        }
        BellState state = BellState.read(work);
        if (state.quietPolls() + 1 >= bell.safetyEvery()) {
            new BellState(state.etag(), 0).write(work);
            return false;
        }
        try {
            String token = Files.readString(bell.tokenFile(), StandardCharsets.UTF_8).strip();
            HttpRequest.Builder request = HttpRequest.newBuilder(bell.url()).timeout(config.ssh().timeout())
                    .header("Authorization", "Bearer " + token).GET();
            if (state.etag() != null) {
                request.header("If-None-Match", state.etag());
            }
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 304) {
                new BellState(state.etag(), state.quietPolls() + 1).write(work);
                return true;
            }
            if (response.statusCode() == 200) {
                new BellState(response.headers().firstValue("ETag").orElse(null), 0).write(work);
                return false;
            }
            LOG.warn("doorbell {} answered {}; polling the drop instead (check doorbell.token-file)",
                    bell.url(), response.statusCode());
        } catch (IOException e) {
            LOG.warn("doorbell {} unreachable ({}); polling the drop instead", bell.url(), e.toString());
        }
        new BellState(state.etag(), 0).write(work);
        return false;
    }

    /**
     * The doorbell's last ETag and the quiet polls since the drop was last opened, in
     * {@code <work.dir>/doorbell.state}: replaced atomically but not fsynced, so a quiet poll costs
     * no disk flush; losing it to a power cut only moves the safety net.
     */
    record BellState(String etag, int quietPolls) {
        static final String FILE = "doorbell.state";

        static BellState read(Path work) {
            try {
                String[] lines = Files.readString(work.resolve(FILE), StandardCharsets.UTF_8).split("\n");
                return new BellState(lines[0].isEmpty() ? null : lines[0], Integer.parseInt(lines[1].strip()));
            } catch (IOException | RuntimeException missingOrTorn) {
                return new BellState(null, 0);
            }
        }

        void write(Path work) throws IOException {
            Path temp = work.resolve(FILE + ".tmp");
            Files.writeString(temp, (etag == null ? "" : etag) + "\n" + quietPolls + "\n", StandardCharsets.UTF_8);
            Files.move(temp, work.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
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

    String bootId() {
        try {
            return Files.readString(config.reboot().bootIdFile(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    Instant now() {
        return clock.instant();
    }

    /** One transport step. */
    @FunctionalInterface
    interface Step {
        void run() throws IOException;
    }

    /**
     * Runs {@code step}, retrying what may succeed later (broken connections, timeouts) with
     * exponential backoff and jitter; the transport's connection is dropped between attempts.
     */
    void retry(String what, DropTransport transport, Step step) throws IOException, InterruptedException {
        int attempts = config.attempts();
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
                long millis = config.backoff().toMillis() << (attempt - 1);
                Thread.sleep(millis + random.nextInt((int) Math.max(1, millis / 2)));
            }
        }
    }

    /** Cleans what a killed install left, before anything else touches the install folders. */
    void removeInstallLeftovers() throws IOException {
        int removed = Installer.removeLeftovers(installRoot);
        if (removed > 0) {
            LOG.info("removed {} half-installed package folders left by an interrupted install", removed);
        }
    }

    /** Writes state_file: only when something changed, or when {@code force} (the heartbeat while a test runs). */
    static final class Reporter {
        private final Agent agent;
        private final Journal journal;
        private final DropTransport transport;
        private Instant lastWrite = Instant.EPOCH;

        Reporter(Agent agent, Journal journal, DropTransport transport) {
            this.agent = agent;
            this.journal = journal;
            this.transport = transport;
        }

        void report(String status, String request, String step, String message) throws IOException, InterruptedException {
            write(status, request, step, message, false);
        }

        void heartbeat(String status, String request, String step, String message) throws IOException, InterruptedException {
            if (Duration.between(lastWrite, agent.now()).compareTo(agent.config.stateHeartbeat()) >= 0) {
                write(status, request, step, message, true);
            }
        }

        private void write(String status, String request, String step, String message, boolean force)
                throws IOException, InterruptedException {
            if (message == null && "Available".equals(status)) {
                // A refused update stays visible on the host until it is resolved, not only until the next report.
                message = agent.refusal;
            }
            String key = status + "|" + request + "|" + step + "|" + message + "|" + agent.bootId();
            if (!force && key.equals(journal.lastState)) {
                return;
            }
            StateDoc doc = new StateDoc();
            doc.host = agent.config.host();
            doc.seq = Math.max(journal.seq + 1, agent.clock.millis());
            doc.updated = agent.now();
            doc.status = status;
            doc.request = request;
            doc.step = step == null ? null : abbreviate(step, 200);
            doc.agentVersion = agent.version;
            doc.bootId = abbreviate(agent.bootId(), 200);
            doc.message = message == null ? null : abbreviate(message, 2000);
            journal.seq = doc.seq;
            journal.save(agent.work);
            byte[] xml = DropXml.write(XmlFormat.STATE, doc);
            agent.retry("write state_file", transport, () -> transport.writeState(xml));
            // Recorded only once written: a state that failed to go out is sent again by the next poll.
            journal.lastState = key;
            journal.save(agent.work);
            lastWrite = agent.now();
            LOG.info("state {}{}{}", status, request == null ? "" : " " + request, step == null ? "" : " (" + step + ")");
        }

        private static String abbreviate(String text, int max) {
            return text.length() > max ? text.substring(0, max - 3) + "..." : text;
        }
    }
}
