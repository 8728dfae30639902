package labdrop.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatements;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's LISTEN/NOTIFY for the doorbell's change feed: a transaction that changes a host's
 * doorbell also sends a notice on {@link #CHANNEL} (delivered when it commits, once however many
 * hosts it changed), and each server listening on its own connection reads the feed at once
 * instead of at its next turn. A change made through one node of a cluster so answers the polls
 * held by the others within milliseconds. H2 has no notices: there the feed's timer is all.
 * <p>
 * The listening connection is the server's own (outside the pool, which it would hold forever);
 * when it is lost, the thread connects again every {@link #RETRY} and reads the feed on every
 * (re)connection, since notices sent meanwhile are gone.
 */
public final class BellNotices implements AutoCloseable {
    static final String CHANNEL = "labdrop_bell";
    /** The Jdbi attribute a PostgreSQL store's handles carry: their transactions send notices. */
    static final String SENDS = "labdrop.bellNotices";
    static final Duration RETRY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(BellNotices.class);
    private final String url;
    private final String user;
    private final String password;
    private final Runnable onNotice;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    private BellNotices(String url, String user, String password, Runnable onNotice) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.onNotice = onNotice;
        this.thread = new Thread(this::run, "labdrop-bell-notices");
        thread.setDaemon(true);
    }

    /** Listens on the store at {@code url} and calls {@code onNotice} for each batch of notices, and on each (re)connection. */
    static BellNotices listen(String url, String user, String password, Runnable onNotice) {
        BellNotices notices = new BellNotices(url, user, password, onNotice);
        notices.thread.start();
        return notices;
    }

    /** Sends the notice in {@code h}'s transaction when its store is PostgreSQL (a no-op on H2). */
    static void send(Handle h) {
        if (Boolean.TRUE.equals(h.getConfig(SqlStatements.class).getAttribute(SENDS))) {
            h.createQuery("select pg_notify('" + CHANNEL + "', '')").mapTo(String.class).one();
        }
    }

    private void run() {
        boolean warned = false;
        while (!closed) {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
                connection = c;
                st.execute("listen " + CHANNEL);
                if (warned) {
                    LOG.info("doorbell: listening to the store's notices again");
                    warned = false;
                }
                onNotice.run();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notices = pg.getNotifications((int) RETRY.toMillis());
                    if (notices != null && notices.length > 0) {
                        onNotice.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed && !warned) {
                    LOG.warn("doorbell: lost the store's notices ({}); the feed's timer carries changes until they are back",
                            e.getMessage());
                    warned = true;
                }
            }
            pause();
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}
