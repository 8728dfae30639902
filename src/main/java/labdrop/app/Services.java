package labdrop.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import labdrop.account.Accounts;
import labdrop.admin.HostAdmin;
import labdrop.cluster.Membership;
import labdrop.config.ServerConfig;
import labdrop.drop.DropLayout;
import labdrop.host.HostTypes;
import labdrop.ingest.ConfigWatch;
import labdrop.ingest.Ingest;
import labdrop.lab.Lab;
import labdrop.lab.LabMetrics;
import labdrop.notify.Notifications;
import labdrop.notify.Notifier;
import labdrop.ops.HardReset;
import labdrop.ops.LabStats;
import labdrop.ops.Watchdog;
import labdrop.pkg.PackageCatalog;
import labdrop.queue.Doorbell;
import labdrop.queue.Confirmations;
import labdrop.queue.HealthChecks;
import labdrop.queue.LabTokens;
import labdrop.queue.Placer;
import labdrop.queue.RequestDesk;
import labdrop.queue.StartEstimates;
import labdrop.report.KnownIssues;
import labdrop.report.Reports;
import labdrop.ssh.KeyRegistry;
import labdrop.store.Store;
import labdrop.web.WebServices;

/**
 * The server's logic, wired once: used by the server process and, opening the same store, by the
 * CLI's host and request commands (see docs/cli.md for why the CLI opens the store).
 */
public record Services(Lab lab, Placer placer, RequestDesk desk, StartEstimates estimates, Reports reports, KnownIssues known, HostAdmin hosts,
                       ConfigWatch configWatch, Ingest ingest, Watchdog watchdog, HardReset hardReset, Accounts accounts, LabMetrics metrics,
                       Doorbell doorbell, KeyRegistry keys, LabTokens labTokens, LabStats stats, Notifier notifier, Notifications notifications,
                       Membership membership)
        implements AutoCloseable {

    /** For the server: the schema migrated (Flyway validates what was applied), the JVM's meters bound. */
    public static Services open(ServerConfig config, Clock clock) {
        Services services = open(config, clock, true);
        services.metrics().bindProcess();
        services.membership().measure(services.metrics().registry());
        return services;
    }

    /**
     * For a CLI command: Flyway runs only when the store's schema is behind this version (a store the server
     * already migrated opens with one query), and nothing the server alone needs is made.
     */
    public static Services openForCommand(ServerConfig config, Clock clock) {
        return open(config, clock, false);
    }

    private static Services open(ServerConfig config, Clock clock, boolean migrate) {
        HostTypes hostTypes = new HostTypes(config.hostTypesDir());
        try {
            hostTypes.ensureDefault();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the default host type in " + config.hostTypesDir(), e);
        }
        Store store;
        try {
            StateDir.prepare(config.stateDir());
            store = migrate ? Store.open(config.database()) : Store.openCurrent(config.database());
            StateDir.closeStoreFiles(config.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot secure the state folder " + config.stateDir(), e);
        }
        Lab lab = new Lab(store, new DropLayout(config.dropDir()), hostTypes,
                new PackageCatalog(config.http().repositories()), clock);
        LabMetrics metrics = new LabMetrics(config.cluster().nodeId());
        metrics.bindCounts(lab);
        lab.store().measure(metrics.registry());
        Doorbell doorbell = new Doorbell(lab, metrics.registry());
        Placer placer = new Placer(lab, metrics, doorbell, config.cluster().enabled());
        ConfigWatch configWatch = new ConfigWatch(lab, config.ingest().maxConfigBytes(), doorbell);
        HealthChecks health = new HealthChecks(lab, placer);
        HostAdmin hosts = new HostAdmin(lab, placer, configWatch, health);
        HardReset hardReset = new HardReset(hosts, config.watchdog().hardResetTimeout());
        return new Services(lab, placer, new RequestDesk(lab, placer), new StartEstimates(lab), new Reports(lab), new KnownIssues(lab), hosts, configWatch,
                new Ingest(lab, placer, health, new Confirmations(lab, health), config.ingest(), metrics),
                new Watchdog(lab, placer, health, config.watchdog(), hardReset),
                hardReset, new Accounts(lab), metrics, doorbell,
                new KeyRegistry(lab), new LabTokens(lab, doorbell), new LabStats(lab), new Notifier(lab, config.notifications(), metrics, config.cluster().nodeId()),
                new Notifications(lab, config.notifications().mail().enabled()),
                new Membership(lab, config.cluster(), version()));
    }

    /** This build's version (the jar's Implementation-Version), "dev" when run from the source tree. */
    static String version() {
        String version = Services.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** What the web pages and the API are given. */
    public WebServices web() {
        return new WebServices(lab, desk, estimates, reports, known, hosts, accounts, keys, doorbell, stats, metrics, notifications,
                membership);
    }

    @Override
    public void close() {
        doorbell.close();
        notifier.close();
        lab.store().close();
        metrics.close();
    }
}
