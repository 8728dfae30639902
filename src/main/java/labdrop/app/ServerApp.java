package labdrop.app;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import labdrop.account.Accounts;
import labdrop.cluster.ClusterTimers;
import labdrop.cluster.SharedHostKey;
import labdrop.config.ServerConfig;
import labdrop.ingest.DropWatcher;
import labdrop.ingest.RouteFeed;
import labdrop.ops.LabProbes;
import labdrop.ops.Readiness;
import labdrop.schedule.Crons;
import labdrop.ssh.EmbeddedSshServer;
import labdrop.ssh.GatewayServices;
import labdrop.web.ApiHandler;
import labdrop.web.DoorbellHandler;
import labdrop.web.HttpServerFactory;
import labdrop.web.LabDoorbellHandler;
import labdrop.web.LocalAccess;
import labdrop.web.PackageUploadHandler;
import labdrop.web.SharedSessions;
import labdrop.web.WebHandler;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.main.Main;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server process: the store, the logic beans, Camel Main running the YAML routes from
 * {@code routes.dir}, and the drop watcher feeding those routes. {@link #build} returns it
 * unstarted; {@link #start} starts it; {@link #close} stops it.
 */
public final class ServerApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerApp.class);
    /** How long each readiness check may take before it counts as failed. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(2);
    private final ServerConfig config;
    private final Services services;
    private final Main camel = new Main();
    private final Server http;
    private DropWatcher watcher;
    private final EmbeddedSshServer ssh;
    private final Readiness readiness;
    private final LocalAccess local = LocalAccess.generate();
    private ProducerTemplate producer;
    private List<String> routeWarnings = List.of();

    private ServerApp(ServerConfig config, Services services) throws IOException {
        this.config = config;
        this.services = services;
        if (config.cluster().enabled() && config.ssh().enabled()) {
            SharedHostKey.ensure(services.lab().store(), EmbeddedSshServer.keyPair(config.ssh().hostKey(), "labdrop host key"));
        }
        this.ssh = config.ssh().enabled() ? new EmbeddedSshServer(config.ssh(), config.dropDir(),
                new GatewayServices(config.http().repositories(), services.doorbell()), this::written, services.keys(),
                Clock.systemUTC(), services.metrics().registry()) : null;
        this.readiness = readiness(config, services, ssh);
        PackageUploadHandler uploads = new PackageUploadHandler(services.accounts(),
                config.http().repositories(), config.http().staging(), config.http().maxUploadBytes());
        this.http = HttpServerFactory.build(config.http().host(), config.http().port(), config.http().tls(),
                config.http().trustedProxies(), config.http().repositories(), new Handler.Sequence(
                        new DoorbellHandler(services.doorbell()),
                        new LabDoorbellHandler(services.doorbell(), services.labTokens()), uploads, new ApiHandler(services.web(), local)),
                services.metrics(), new WebHandler(services.web(), uploads), readiness, services.doorbell());
        LocalAccess.addConnector(http);
        if (config.cluster().enabled()) {
            SharedSessions.install(http, services.lab().store().dataSource());
        }
    }

    /** What /readyz checks (docs/operations.md): store, drop, disk, placer, and the SSH server when it runs. */
    private static Readiness readiness(ServerConfig config, Services services, EmbeddedSshServer ssh) {
        Readiness r = new Readiness(READY_TIMEOUT, Clock.systemUTC())
                .add("store", LabProbes.store(services.lab()))
                .add("drop", LabProbes.drop(config.dropDir()))
                .add("disk", LabProbes.disk(List.of(config.dropDir(), config.stateDir()), config.ready().minFreeBytes()))
                .add("placer", LabProbes.placer(services.lab(), config.ready().maxPlacerLag()));
        if (ssh != null) {
            r.add("ssh", ssh::notAnswering);
        }
        return r;
    }

    public Readiness readiness() {
        return readiness;
    }

    /** The ids of the Camel routes running. */
    public List<String> routeIds() {
        return camel.getCamelContext().getRoutes().stream().map(Route::getId).toList();
    }

    /** What the start said about route overrides in routes.dir (docs/routes.md): empty when the shipped routes rule. */
    public List<String> routeWarnings() {
        return routeWarnings;
    }

    public static ServerApp build(ServerConfig config, Clock clock) throws IOException {
        Crons.checkServer(config);
        ServerApp app = new ServerApp(config, Services.open(config, clock));
        app.configureCamel();
        return app;
    }

    private void configureCamel() {
        Routes routes = Routes.of(config.routesDir(), Services.version());
        routes.warnings().forEach(LOG::warn);
        routeWarnings = routes.warnings();
        camel.configure().withRoutesIncludePattern(routes.includePattern());
        camel.configure().withName("labdrop-server");
        config.placeholders().forEach(camel::addInitialProperty);
        config.camelProperties().forEach(camel::addInitialProperty);
        camel.bind("placer", services.placer());
        camel.bind("ingest", services.ingest());
        camel.bind("configWatch", services.configWatch());
        camel.bind("watchdog", services.watchdog());
        camel.bind("notifier", services.notifier());
        camel.bind("dropWatcher", this);
        camel.bind("membership", services.membership());
        if (config.cluster().enabled()) {
            camel.bind("quartz", ClusterTimers.component(services.lab().store(), config.cluster()));
        }
    }

    public void start() throws Exception {
        Files.createDirectories(config.dropDir());
        services.accounts().ensureFirstAdmin(config.stateDir()).ifPresent(file -> LOG.warn(
                "first start: created user '{}' (admin); its password is in {} (mode 0600). Log in, then change it"
                        + " with labdrop user passwd {}", Accounts.FIRST_ADMIN, file, Accounts.FIRST_ADMIN));
        camel.start();
        http.start();
        local.publish(config.stateDir(), http);
        if (ssh != null) {
            ssh.start();
        }
        producer = camel.getCamelContext().createProducerTemplate();
        watcher = new DropWatcher(services.lab().drop(), new RouteFeed(producer),
                services.ingest()::changedSinceApplied, services.ingest(), config.ingest().watch());
        services.placer().drain();
        services.placer().restore();
        services.ingest().loadAppliedStates();
        watcher.start();
        services.membership().start(address());
        Thread cleanup = new Thread(this::removeTemporaryFiles, "labdrop-start-cleanup");
        cleanup.setDaemon(true);
        cleanup.start();
        LOG.info("labdrop server started: drop {}, store {}, routes {}, http port {}", config.dropDir(),
                config.database().url().replaceAll("password=[^;&]*", "password=***"),
                config.routesDir() == null ? "shipped" : "shipped, overridden from " + config.routesDir(), httpPort());
    }

    /** Where this node answers, for the cluster's node list: its HTTP and SSH ports on the machine's name. */
    private String address() {
        String host = config.http().host();
        String where = host.isBlank() || host.equals("0.0.0.0") || host.equals("::") ? ServerConfig.machineName() : host;
        return "http " + where + ":" + httpPort() + (ssh == null ? "" : ", ssh " + where + ":" + ssh.port());
    }

    /** Removes the temporary files an earlier crash left in the drop (readers skip them; nothing waits for this). */
    private void removeTemporaryFiles() {
        try {
            int temporaries = services.placer().removeTemporaryFiles();
            if (temporaries > 0) {
                LOG.info("removed {} temporary files left by an earlier crash", temporaries);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove the temporary files of an earlier crash: {}", e.getMessage());
        }
    }

    /** A SUT finished writing its state or a result through this node's SSH server: read it now. */
    private void written(String host) {
        DropWatcher w = watcher;
        if (w != null) {
            w.written(host);
        }
    }

    /** Reads the results of running requests that changed; the result-poll route calls it. */
    public void pollResults() {
        if (watcher != null) {
            watcher.pollResults();
        }
    }

    /** Reports config files changed directly on disk; the config-sweep route calls it. */
    public void sweepConfig() {
        if (watcher != null) {
            watcher.sweepConfig();
        }
    }

    /** The safety-net full scan; the rescan route calls it. */
    public void rescan() {
        if (watcher != null) {
            watcher.rescan();
        }
    }

    /** The port Jetty listens on (the real one when http.port is 0). */
    public int httpPort() {
        return HttpServerFactory.port(http);
    }

    /** The embedded SSH server's port (the real one when ssh.port is 0); -1 when ssh.enabled is false. */
    public int sshPort() {
        return ssh == null ? -1 : ssh.port();
    }

    public Services services() {
        return services;
    }

    public int watchCount() {
        return watcher == null ? 0 : watcher.watchCount();
    }

    @Override
    public void close() {
        services.membership().stop();
        try {
            if (watcher != null) {
                watcher.close();
            }
        } catch (IOException e) {
            LOG.warn("closing the drop watcher: {}", e.getMessage());
        }
        try {
            local.withdraw(config.stateDir());
        } catch (IOException e) {
            LOG.warn("removing {}: {}", LocalAccess.FILE, e.getMessage());
        }
        try {
            http.stop();
        } catch (Exception e) {
            LOG.warn("stopping Jetty: {}", e.getMessage());
        }
        try {
            if (ssh != null) {
                ssh.close();
            }
        } catch (IOException e) {
            LOG.warn("stopping the SSH server: {}", e.getMessage());
        }
        camel.stop();
        readiness.close();
        services.close();
    }
}
