package labdrop.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import javax.sql.DataSource;
import labdrop.config.ServerConfig;
import labdrop.retry.Backoff;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * The JDBC store: an embedded H2 file by default (shared safely between the server and CLI
 * processes through H2's AUTO_SERVER mode), PostgreSQL by URL. The schema is migrated by Flyway
 * on open. Every operation that changes a host's queue locks the host's row first, so two
 * processes never decide for the same host at once.
 */
public final class Store implements AutoCloseable {
    /** A connection that fails before any work ran is tried again, 5 times in all, from 100 ms doubling. */
    private static final Backoff RECONNECT = new Backoff(5, Duration.ofMillis(100), Backoff.THREAD_SLEEP, new Random());
    private static final String H2_BIND_ADDRESS = "h2.bindAddress";
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Store(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        jdbi.define(BellNotices.SENDS, postgres());
    }

    private boolean postgres() {
        return dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    /**
     * Calls {@code onNotice} whenever a transaction that changed a host's doorbell commits, in any
     * process on this store ({@link BellNotices}); empty on H2, which has no notices.
     */
    public Optional<BellNotices> listenForBells(Runnable onNotice) {
        return postgres() ? Optional.of(BellNotices.listen(dataSource.getJdbcUrl(), dataSource.getUsername(),
                dataSource.getPassword(), onNotice)) : Optional.empty();
    }

    /** Opens the store and has Flyway migrate it (and validate what was applied): the server's start. */
    public static Store open(ServerConfig.Database database) {
        return open(database, true);
    }

    /**
     * Opens the store for a CLI command: when its schema already holds this version's newest
     * migration (the server migrated it), one query checks that and Flyway does not run;
     * otherwise (a new store, or an older one) Flyway migrates it as {@link #open} does.
     */
    public static Store openCurrent(ServerConfig.Database database) {
        return open(database, false);
    }

    private static Store open(ServerConfig.Database database, boolean always) {
        keepH2ServersOnLoopback();
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(database.url());
        hikari.setUsername(database.user());
        hikari.setPassword(database.password());
        hikari.setMaximumPoolSize(database.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setPoolName("labdrop-store");
        hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hikari.setInitializationFailTimeout(30_000);
        hikari.setExceptionOverride(new DeadConnections());
        boolean postgres = database.url().startsWith("jdbc:postgresql:");
        if (postgres && !database.idleInTransactionTimeout().isZero()) {
            hikari.setConnectionInitSql("set idle_in_transaction_session_timeout = "
                    + database.idleInTransactionTimeout().toMillis());
        }
        if (postgres && database.shared()) {
            // No server-side prepared statements: a node still on the older version during a rolling
            // upgrade would otherwise fail a transaction with "cached plan must not change result type"
            // once a newer node's migration added a column to a table it reads with select *
            // (ClusterUpgradeIT). Each statement is then planned afresh, in the same round trip.
            hikari.addDataSourceProperty("prepareThreshold", "0");
        }
        HikariDataSource dataSource = new HikariDataSource(hikari);
        for (int attempt = 1; ; attempt++) {
            try {
                Schema.refuseNewer(dataSource);
                if (always || !Schema.current(dataSource)) {
                    // Idempotent: a retry after the H2 owner process died mid-migration is safe.
                    Flyway.configure().dataSource(dataSource).locations("classpath:" + Schema.MIGRATIONS).load().migrate();
                }
                return new Store(dataSource);
            } catch (RuntimeException e) {
                if (!RECONNECT.another(attempt) || !DeadConnections.isDead(e)) {
                    dataSource.close();
                    throw e;
                }
                pauseBeforeRetry(attempt);
            }
        }
    }

    /** Registers the connection pool's meters (hikaricp_connections_*: active, idle, pending, timeouts, wait and use times). */
    public void measure(MeterRegistry registry) {
        dataSource.setMetricRegistry(registry);
    }

    /**
     * H2's AUTO_SERVER serves the file to later processes (the CLI) from a TCP port that listens on
     * every interface and is advertised by the machine's host name. Bound to loopback, the store is
     * not on the network and a host name that does not resolve (a container, a fresh VM) does not
     * stop the server from opening its own store. H2 reads the property once, before its first use.
     */
    private static void keepH2ServersOnLoopback() {
        if (System.getProperty(H2_BIND_ADDRESS) == null) {
            System.setProperty(H2_BIND_ADDRESS, "127.0.0.1");
        }
    }

    /**
     * Runs {@code work} in one transaction; it commits when {@code work} returns. A connection that
     * fails before {@code work} starts (a pooled connection to an H2 owner process that has died)
     * is retried on a fresh one: nothing of the transaction has run, so a retry cannot repeat it.
     */
    public <R> R tx(HandleCallback<R, RuntimeException> work) {
        for (int attempt = 1; ; attempt++) {
            boolean[] started = {false};
            try {
                // READ COMMITTED is the pool's level for every connection (set by Hikari, reset on return);
                // naming it here again made Jdbi read the level around each transaction, two round trips
                // (SHOW TRANSACTION ISOLATION LEVEL on PostgreSQL), 40 % of a filing's statements
                return jdbi.inTransaction(h -> {
                    started[0] = true;
                    return work.withHandle(h);
                });
            } catch (JdbiException e) {
                if (started[0] || !RECONNECT.another(attempt)) {
                    throw e;
                }
                pauseBeforeRetry(attempt);
            }
        }
    }

    private static void pauseBeforeRetry(int attempt) {
        try {
            RECONNECT.pause(attempt);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs read-only {@code work} outside an explicit transaction. */
    public <R> R read(HandleCallback<R, RuntimeException> work) {
        return jdbi.withHandle(work);
    }

    /**
     * The store's connection pool, for a library that runs its own SQL on the store (Quartz's
     * clustered job store, Jetty's shared sessions); a connection it takes is returned on close.
     */
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }

}
