package labdrop.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import labdrop.config.ServerConfig;
import labdrop.store.Store;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The Quartz scheduler of a cluster node: Quartz's JDBC job store on the store's PostgreSQL, with
 * {@code isClustered}, so each tick of a lab-wide timer (the watchdog's {@code quartz:} route)
 * fires on one node, and the nodes that remain take over a dead node's triggers after a missed
 * check-in (docs/cluster.md). A single-node server keeps Camel's default, Quartz in memory.
 */
public final class ClusterTimers {
    /** The name under which Quartz finds the store's connections. */
    static final String DATA_SOURCE = "labdrop-store";

    private ClusterTimers() {
    }

    /** The {@code quartz} component for a node of {@code cluster}: bind it in Camel's registry under that name. */
    public static QuartzComponent component(Store store, ServerConfig.Cluster cluster) {
        DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return store.dataSource().getConnection();
            }

            @Override
            public void shutdown() {
                // the store's pool is the server's; it closes with the server
            }

            @Override
            public void initialize() {
                // the pool is open already
            }
        });
        QuartzComponent quartz = new QuartzComponent();
        quartz.setProperties(properties(cluster));
        return quartz;
    }

    /** Quartz's settings: one scheduler name for every node, this node's id as its instance. */
    static Map<String, String> properties(ServerConfig.Cluster cluster) {
        return Map.ofEntries(
                Map.entry("org.quartz.scheduler.instanceName", "labdrop"),
                Map.entry("org.quartz.scheduler.instanceId", cluster.nodeId()),
                Map.entry("org.quartz.scheduler.skipUpdateCheck", "true"),
                Map.entry("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool"),
                Map.entry("org.quartz.threadPool.threadCount", "2"),
                Map.entry("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX"),
                Map.entry("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"),
                Map.entry("org.quartz.jobStore.dataSource", DATA_SOURCE),
                Map.entry("org.quartz.jobStore.tablePrefix", "QRTZ_"),
                Map.entry("org.quartz.jobStore.isClustered", "true"),
                Map.entry("org.quartz.jobStore.clusterCheckinInterval", Long.toString(cluster.heartbeat().toMillis())),
                Map.entry("org.quartz.jobStore.acquireTriggersWithinLock", "true"));
    }
}
