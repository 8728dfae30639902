package labdrop.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import labdrop.drop.Names;
import labdrop.ssh.EmbeddedSshServer;
import labdrop.transport.SftpSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code labdrop gateway}: keeps a local drop for every host of one lab in step with the server
 * through one outbound SFTP connection (the lab's login, kept open between syncs), and serves
 * that drop to the lab's SUTs as a folder ({@code file://}) and over its own embedded SSH server
 * (SFTP and rsync, the server's code and jail, keys from {@code ssh.keys-dir}). A Quartz
 * scheduler runs one sync at start and then every {@code sync.every}; syncs never overlap. When
 * the server cannot be reached the SUTs go on with what they have and what they write waits in
 * the local drop (bounded by the SSH server's quotas) until the next sync that gets through.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final String GATEWAY = "labdrop.gateway";
    private final GatewayConfig config;
    private final Clock clock;
    private final AtomicReference<Set<String>> hosts = new AtomicReference<>(Set.of());
    private final Map<String, HostSync> syncs = new HashMap<>();
    private final Map<String, GatewayStatus.Host> hostStatus = new TreeMap<>();
    private final EmbeddedSshServer ssh;
    private final Scheduler scheduler;
    private SftpSession session;
    private Instant lastSync;
    private String lastError;

    public Gateway(GatewayConfig config, Clock clock) throws IOException, SchedulerException {
        this.config = config;
        this.clock = clock;
        Files.createDirectories(config.dropDir());
        Files.createDirectories(config.keysDir());
        hosts.set(localHosts());
        readStatus();
        ssh = config.ssh().enabled() ? new EmbeddedSshServer(config.ssh(), config.dropDir(),
                new GatewayKeys(config.keysDir(), hosts::get), clock, new SimpleMeterRegistry()) : null;
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "labdrop-gateway-" + config.lab());
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "labdrop-gateway-" + config.lab());
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.getContext().put(GATEWAY, this);
    }

    public void start() throws IOException, SchedulerException {
        if (ssh != null) {
            ssh.start();
        }
        scheduler.scheduleJob(JobBuilder.newJob(SyncJob.class).withIdentity("sync").build(),
                TriggerBuilder.newTrigger().withIdentity("sync").startNow()
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule().repeatForever()
                                .withIntervalInMilliseconds(config.syncEvery().toMillis())
                                .withMisfireHandlingInstructionNextWithRemainingCount())
                        .build());
        scheduler.start();
        LOG.info("labdrop gateway for lab '{}': syncing with {} every {}, local drop {}", config.lab(), config.server(),
                config.syncEvery(), config.dropDir());
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
        try {
            SftpSession s = session();
            Set<String> lab = labHosts(s);
            retireDeparted(lab);
            hosts.set(Set.copyOf(lab));
            for (String host : lab) {
                HostSync sync = syncs.get(host);
                if (sync == null) {
                    sync = new HostSync(host, config.dropDir().resolve(host), SyncJournal.load(journal(host)));
                    syncs.put(host, sync);
                }
                HostSync.Outcome outcome = sync.sync(s);
                if (outcome.changedAnything()) {
                    LOG.info("host '{}': {} files pushed, {} placed or changed here, {} finished requests removed on the server",
                            host, outcome.pushed(), outcome.placed(), outcome.removed());
                }
                hostStatus.put(host, new GatewayStatus.Host(clock.instant(), outcome.unsent()));
            }
            hostStatus.keySet().retainAll(lab);
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
            lastError = e.getMessage();
            closeSession();
            countUnsent();
        }
        try {
            new GatewayStatus(config.server().toString(), started, lastSync, lastError, Map.copyOf(hostStatus))
                    .save(config.stateDir());
        } catch (IOException e) {
            LOG.warn("cannot write the gateway's status: {}", e.getMessage());
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

    private SftpSession session() throws IOException {
        if (session == null) {
            GatewayConfig.Upstream up = config.upstream();
            session = SftpSession.open(config.server(), up.identity(), up.knownHosts(), up.acceptNewHostKey(),
                    up.connectTimeout(), up.timeout());
        }
        return session;
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (IOException e) {
                LOG.debug("closing the session to the server: {}", e.getMessage());
            }
            session = null;
        }
    }

    /** The lab's hosts as the server shows them: the folders the lab's login sees at its root. */
    private static Set<String> labHosts(SftpSession s) throws IOException {
        Set<String> out = new TreeSet<>();
        for (SftpClient.DirEntry entry : s.sftp().readDir("/")) {
            String name = entry.getFilename();
            if (Names.isValid(name) && entry.getAttributes().isDirectory()) {
                out.add(name);
            }
        }
        return out;
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
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("stopping the gateway's scheduler: {}", e.getMessage());
        }
        synchronized (this) {
            closeSession();
        }
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
