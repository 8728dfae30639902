package labdrop.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import labdrop.config.ServerConfig;
import labdrop.drop.DropLayout;
import labdrop.drop.Names;
import labdrop.drop.SafeRead;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.RequestDoc;
import labdrop.drop.xml.XmlFormat;
import labdrop.error.BadInputException;
import labdrop.lab.LabMetrics;
import labdrop.ops.LabProbes;
import labdrop.ops.Readiness;
import labdrop.pkg.PackageFile;
import labdrop.ssh.EmbeddedSshServer;
import labdrop.web.DoorbellHandler;
import labdrop.web.HttpServerFactory;
import org.eclipse.jetty.server.Server;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code labdrop gateway}: keeps a local drop for every host of one lab in step with the server
 * through one outbound SSH connection (the lab's login over SFTP or rsync: kept open, or with the
 * lab's doorbell over HTTP opened only when there is something to sync), and serves
 * that drop to the lab's SUTs as a folder ({@code file://}) and over its own embedded SSH server
 * (SFTP and rsync, the server's code and jail, keys from {@code ssh.keys-dir}). A Quartz
 * scheduler runs one sync at start and then every {@code sync.every}; syncs never overlap. When
 * the server cannot be reached the SUTs go on with what they have and what they write waits in
 * the local drop (bounded by the SSH server's quotas) until the next sync that gets through.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final String GATEWAY = "labdrop.gateway";
    /** The cache's path under /packages/ on the gateway's HTTP server. */
    public static final String PACKAGES = "gateway";
    private final GatewayConfig config;
    private final Clock clock;
    private final AtomicReference<Set<String>> hosts = new AtomicReference<>(Set.of());
    private final Map<String, HostSync> syncs = new HashMap<>();
    private final Map<String, GatewayStatus.Host> hostStatus = new TreeMap<>();
    private final EmbeddedSshServer ssh;
    private final PackageCache cache;
    private final LabMetrics metrics = new LabMetrics();
    private final Readiness readiness;
    private final Server http;
    private final Scheduler scheduler;
    private final Counter syncsOk;
    private final Counter syncsFailed;
    private final ServerLink link;
    private final LabDoorbell labBell;
    private final SutDoorbell sutBell;
    /** Hosts the lab doorbell says changed on the server since their last sync. */
    private final Set<String> serverChanged = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> serverGenerations = new ConcurrentHashMap<>();
    /** A sync of every host is due: at start, after a failure, when the lab's hosts changed. */
    private volatile boolean fullDue = true;
    /**
     * The lab's hosts changed on the server: a login sees the hosts its lab had when it logged in,
     * so the next sync logs in again before it lists them (the server also ends such a session
     * within seconds, but with the doorbell over HTTP nothing else would use the link to notice).
     */
    private volatile boolean relogin;
    /** The hosts the lab's doorbell last named. */
    private volatile Set<String> bellHosts = Set.of();
    private Instant lastFull = Instant.EPOCH;
    /** When a sync last used the connection to the server. */
    private Instant lastLinkUse = Instant.EPOCH;
    private volatile Instant lastSync;
    private volatile String lastError;

    public Gateway(GatewayConfig config, Clock clock) throws IOException, SchedulerException {
        this.config = config;
        this.clock = clock;
        this.link = new ServerLink(config.server(), config.upstream(), config.stateDir().resolve("link"));
        this.sutBell = new SutDoorbell(config.stateDir().resolve("doorbell-tokens.properties"), clock);
        this.labBell = new LabDoorbell(config.bell().overHttp()
                ? new HttpLabPoll(config.bell(), config.upstream().connectTimeout(), config.upstream().timeout())
                : new SshLabPoll(link), Duration.ofSeconds(1), this::rang);
        Files.createDirectories(config.dropDir());
        Files.createDirectories(config.keysDir());
        hosts.set(localHosts());
        readStatus();
        cache = new PackageCache(config.cache().dir(), config.stateDir().resolve("packages-part"), config.cache().maxBytes(),
                config.cache().fetchDeadline(), clock);
        metrics.bindProcess();
        ssh = config.ssh().enabled() ? new EmbeddedSshServer(config.ssh(), config.dropDir(),
                new GatewayKeys(config.keysDir(), hosts::get), clock, metrics.registry()) : null;
        readiness = new Readiness(Duration.ofSeconds(2), clock)
                .add("server", this::serverProblem)
                .add("drop", LabProbes.drop(config.dropDir()));
        if (ssh != null) {
            readiness.add("ssh", ssh::notAnswering);
        }
        http = HttpServerFactory.build(config.http().host(), config.http().port(), ServerConfig.Tls.NONE, List.of(),
                Map.of(PACKAGES, cache.dir()), new DoorbellHandler(sutBell), metrics, null, readiness, sutBell);
        syncsOk = Counter.builder("labdrop.gateway.syncs").tag("outcome", "ok")
                .description("Syncs of every host of the lab with the server, by outcome").register(metrics.registry());
        syncsFailed = Counter.builder("labdrop.gateway.syncs").tag("outcome", "failed").register(metrics.registry());
        FunctionCounter.builder("labdrop.gateway.connections", link, ServerLink::opened)
                .description("SSH connections the gateway opened to the server").register(metrics.registry());
        Gauge.builder("labdrop.gateway.hosts", hosts, h -> h.get().size()).description("Hosts of the lab the gateway serves")
                .register(metrics.registry());
        Gauge.builder("labdrop.gateway.unsent.files", hostStatus,
                        h -> h.values().stream().mapToInt(GatewayStatus.Host::unsent).sum())
                .description("Files the lab's SUTs wrote that have not reached the server yet").register(metrics.registry());
        Gauge.builder("labdrop.gateway.last.sync.age", this, g -> g.lastSync == null ? Double.NaN
                        : Duration.between(g.lastSync, clock.instant()).toMillis() / 1000.0)
                .description("Seconds since a sync last reached the server").baseUnit("seconds").register(metrics.registry());
        Gauge.builder("labdrop.gateway.cache", cache, c -> {
            try {
                return c.bytes();
            } catch (IOException e) {
                return Double.NaN;
            }
        }).description("Bytes in the package cache").baseUnit("bytes").register(metrics.registry());
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "labdrop-gateway-" + config.lab());
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "labdrop-gateway-" + config.lab());
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.getContext().put(GATEWAY, this);
    }

    public void start() throws Exception {
        if (ssh != null) {
            ssh.start();
        }
        http.start();
        scheduler.scheduleJob(JobBuilder.newJob(SyncJob.class).withIdentity("sync").storeDurably().build(),
                TriggerBuilder.newTrigger().withIdentity("sync").startNow()
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule().repeatForever()
                                .withIntervalInMilliseconds(config.syncEvery().toMillis())
                                .withMisfireHandlingInstructionNextWithRemainingCount())
                        .build());
        scheduler.start();
        labBell.start();
        LOG.info("labdrop gateway for lab '{}': syncing with {} every {}, local drop {}", config.lab(), config.server(),
                config.syncEvery(), config.dropDir());
    }

    /** The port of the gateway's HTTP server. */
    public int httpPort() {
        return HttpServerFactory.port(http);
    }

    /** The port of the gateway's SSH server (0 when it is off). */
    public int sshPort() {
        return ssh == null ? 0 : ssh.port();
    }

    /** The hosts the gateway serves: the lab's on the server at the last sync (the local folders before the first). */
    public Set<String> hosts() {
        return hosts.get();
    }

    /** One sync of every host of the lab; an unreachable server is logged and recorded, not thrown. */
    synchronized void syncOnce() {
        Instant started = clock.instant();
        closeIdleLink(started);
        Upstream s = null;
        try {
            boolean full = fullDue || !labBell.healthy()
                    || !started.isBefore(lastFull.plus(config.safetyEvery()));
            Set<String> lab;
            if (full) {
                fullDue = false;
                if (relogin) {
                    relogin = false;
                    // a doorbell answer that raced the first listing may name the hosts it found
                    if (!bellHosts.equals(hosts.get())) {
                        link.close();
                    }
                }
                s = link.session();
                lab = labHosts(s);
                retireDeparted(lab);
                for (String host : lab) {
                    HostSync.prepare(config.dropDir().resolve(host));
                }
                hosts.set(Set.copyOf(lab));
            } else {
                lab = hosts.get();
            }
            boolean reached = full;
            for (String host : lab) {
                HostSync sync = syncs.get(host);
                if (sync == null) {
                    sync = new HostSync(host, config.dropDir().resolve(host), SyncJournal.load(journal(host)), this::prefetch,
                            config.stateDir().resolve("outbox").resolve(host), () -> sutBell.bump(host));
                    syncs.put(host, sync);
                }
                boolean changedThere = serverChanged.remove(host);
                if (!full && !changedThere && !sync.localPending()) {
                    continue;
                }
                if (s == null) {
                    s = link.session();
                }
                reached = true;
                HostSync.Outcome outcome;
                try {
                    outcome = sync.sync(s);
                } catch (IOException | RuntimeException e) {
                    if (changedThere) {
                        serverChanged.add(host);
                    }
                    throw e;
                }
                if (outcome.changedAnything()) {
                    LOG.info("host '{}': {} files pushed, {} placed or changed here, {} finished requests removed on the server",
                            host, outcome.pushed(), outcome.placed(), outcome.removed());
                }
                hostStatus.put(host, new GatewayStatus.Host(clock.instant(), outcome.unsent()));
            }
            hostStatus.keySet().retainAll(lab);
            if (full) {
                lastFull = started;
            }
            if (!reached) {
                return;
            }
            lastLinkUse = clock.instant();
            // only after a sync can the placed requests (and so the pinned packages) have changed
            cache.retain(pinned());
            syncsOk.increment();
            if (lastError != null) {
                LOG.info("the server is reachable again ({})", config.server());
            }
            lastSync = clock.instant();
            lastError = null;
        } catch (IOException | RuntimeException e) {
            if (lastError == null) {
                LOG.warn("sync with {} failed; the SUTs go on with what they have and their results wait here: {}",
                        config.server(), e.getMessage());
            }
            lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            syncsFailed.increment();
            fullDue = true;
            link.broken(s);
            countUnsent();
        }
        try {
            new GatewayStatus(config.server().toString(), started, lastSync, lastError, Map.copyOf(hostStatus),
                    cache.bytes(), cache.count(), (config.bell().overHttp() ? "over HTTP: " : "over ssh: ")
                    + labBell.describe()).save(config.stateDir());
        } catch (IOException e) {
            LOG.warn("cannot write the gateway's status: {}", e.getMessage());
        }
    }

    /**
     * With the lab's doorbell over HTTP and answering, the SSH connection is closed once no sync has
     * used it for {@code server.linger}: the next change, SUT write or safety sync opens it again.
     * (Over SSH the connection is the doorbell's and stays open.)
     */
    private void closeIdleLink(Instant now) {
        if (config.bell().overHttp() && labBell.healthy() && link.open()
                && !now.isBefore(lastLinkUse.plus(config.bell().linger()))) {
            LOG.debug("closing the connection to {}: unused for {}", config.server(), config.bell().linger());
            link.close();
        }
    }

    /**
     * The lab's doorbell answered: the hosts whose generation moved are synced at once (not on
     * the next tick), a changed set of hosts makes it a sync of all, and the SUTs' doorbell tokens
     * are kept for the gateway's own doorbell.
     */
    private void rang(LabDoorbell.Answer answer) {
        try {
            sutBell.tokens(answer.tokenHashes());
        } catch (IOException e) {
            LOG.warn("cannot keep the SUTs' doorbell tokens: {}", e.getMessage());
        }
        bellHosts = Set.copyOf(answer.generations().keySet());
        if (!bellHosts.equals(hosts.get())) {
            relogin = true;
            fullDue = true;
        }
        answer.generations().forEach((host, generation) -> {
            Long before = serverGenerations.put(host, generation);
            if (!generation.equals(before)) {
                serverChanged.add(host);
            }
        });
        serverGenerations.keySet().retainAll(answer.generations().keySet());
        try {
            scheduler.scheduleJob(TriggerBuilder.newTrigger().withIdentity("doorbell").forJob("sync").startNow().build());
        } catch (ObjectAlreadyExistsException waiting) {
            // a sync asked for earlier has not started yet; it will see this change too
        } catch (SchedulerException e) {
            LOG.debug("sync not scheduled: {}", e.getMessage());
        }
    }

    /** While the server cannot be reached, the status still counts what waits to be pushed. */
    private void countUnsent() {
        syncs.forEach((host, sync) -> {
            try {
                GatewayStatus.Host before = hostStatus.get(host);
                hostStatus.put(host, new GatewayStatus.Host(before == null ? null : before.lastSync(), sync.unsent()));
            } catch (IOException e) {
                LOG.debug("counting what waits for host '{}': {}", host, e.getMessage());
            }
        });
    }

    /**
     * A request is placed in the local drop once the packages it pins are in the cache, so its SUT
     * never waits on the link: each comes over the lab's login once and is verified first. A
     * package the server does not have (a tester's own repository) is left to the SUT's own fetch
     * locations; one the link could not bring holds the request back until a later sync.
     */
    private boolean prefetch(Upstream s, String host, byte[] xml) {
        RequestDoc doc;
        try {
            doc = DropXml.read(XmlFormat.REQUEST, xml, host + "/current");
        } catch (RuntimeException bad) {
            return true;
        }
        for (RequestDoc.Package p : doc.packages.list) {
            if (p.sha256 == null) {
                continue;
            }
            try {
                cache.ensure(s, new PackageCache.Pin(PackageFile.parse(p.fileName()).fileName(), p.sha256,
                        p.size == null ? -1 : p.size));
            } catch (PackageCache.NotOnServer | BadInputException e) {
                LOG.info("request {} for host '{}': {} is not cached ({}); its SUT fetches it from its own locations",
                        doc.id, host, p.fileName(), e.getMessage());
            } catch (IOException e) {
                LOG.warn("request {} for host '{}' waits: its package {} could not be cached yet ({})", doc.id, host,
                        p.fileName(), e.getMessage());
                return false;
            }
        }
        return true;
    }

    /** The package files the requests in the local drop name: kept in the cache whatever its size. */
    private Set<String> pinned() throws IOException {
        Set<String> out = new TreeSet<>();
        for (String host : hosts.get()) {
            Path current = config.dropDir().resolve(host).resolve(DropLayout.CURRENT);
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(current, "*.xml")) {
                for (Path file : files) {
                    try {
                        RequestDoc doc = DropXml.read(XmlFormat.REQUEST, SafeRead.read(current, file, HostSync.MAX_FILE_BYTES),
                                file.toString());
                        doc.packages.list.forEach(p -> out.add(p.fileName()));
                    } catch (IOException | RuntimeException unreadable) {
                        // not a request the gateway placed (its agent refuses it); it pins nothing
                    }
                }
            }
        }
        return out;
    }

    /** The readiness of the link: null once a sync reached the server and the last one did too. */
    private String serverProblem() {
        String error = lastError;
        if (error != null) {
            return "the last sync with " + config.server() + " failed: " + error;
        }
        return lastSync == null ? "no sync has reached " + config.server() + " yet" : null;
    }

    /** The lab's hosts as the server shows them. */
    private static Set<String> labHosts(Upstream s) throws IOException {
        return new TreeSet<>(s.hosts());
    }

    /** The host folders of the local drop (what the SUTs may log in to before the first sync). */
    private Set<String> localHosts() throws IOException {
        Set<String> out = new TreeSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(config.dropDir())) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (Names.isValid(name) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /**
     * A host that left the lab on the server: its local folder (with whatever its SUT wrote that
     * could no longer be pushed) and journal move to {@code <state.dir>/departed/}, never deleted.
     */
    private void retireDeparted(Set<String> lab) throws IOException {
        for (String host : localHosts()) {
            if (lab.contains(host)) {
                continue;
            }
            Path departed = Files.createDirectories(config.stateDir().resolve("departed"))
                    .resolve(host + "-" + clock.millis());
            Files.move(config.dropDir().resolve(host), departed, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(journal(host));
            syncs.remove(host);
            LOG.warn("host '{}' is no longer in lab '{}' on the server: its local folder moved to {}", host, config.lab(),
                    departed);
        }
    }

    private Path journal(String host) {
        return config.stateDir().resolve("sync").resolve(host + ".properties");
    }

    private void readStatus() {
        try {
            GatewayStatus earlier = GatewayStatus.read(config.stateDir());
            hostStatus.putAll(earlier.hosts());
            lastSync = earlier.lastSync();
        } catch (IOException | RuntimeException e) {
            LOG.debug("no earlier status: {}", e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        labBell.close();
        sutBell.close();
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("stopping the gateway's scheduler: {}", e.getMessage());
        }
        link.close();
        try {
            http.stop();
        } catch (Exception e) {
            LOG.warn("stopping the gateway's HTTP server: {}", e.getMessage());
        }
        readiness.close();
        metrics.close();
        if (ssh != null) {
            ssh.close();
        }
    }

    /** One sync; a fire that comes while one runs waits for it (never two at once). */
    @DisallowConcurrentExecution
    public static final class SyncJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                ((Gateway) context.getScheduler().getContext().get(GATEWAY)).syncOnce();
            } catch (SchedulerException e) {
                LOG.warn("gateway sync not run: {}", e.getMessage());
            }
        }
    }
}
