package labdrop.web;

import javax.sql.DataSource;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DatabaseAdaptor;
import org.eclipse.jetty.session.JDBCSessionDataStore;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.SessionHandler;

/**
 * The web pages' sessions of a cluster node, kept in the store (Jetty's JDBC session data store on
 * the table jetty_sessions) and read from it at every request (no per-node cache), so that a user
 * the load balancer moves to another node stays logged in, and a logout on one node ends the
 * session on all of them (docs/cluster.md).
 */
public final class SharedSessions {
    static final String TABLE = "jetty_sessions";

    private SharedSessions() {
    }

    /** Gives the pages' session handler of {@code server} (not yet started) the store's sessions. */
    public static void install(Server server, DataSource store) {
        SessionHandler sessions = server.getDescendant(SessionHandler.class);
        if (sessions == null) {
            throw new IllegalStateException("this server serves no pages, so it has no sessions to share");
        }
        DatabaseAdaptor adaptor = new DatabaseAdaptor();
        adaptor.setDatasource(store);
        JDBCSessionDataStore.SessionTableSchema schema = new JDBCSessionDataStore.SessionTableSchema();
        schema.setTableName(TABLE);
        JDBCSessionDataStore data = new JDBCSessionDataStore();
        data.setDatabaseAdaptor(adaptor);
        data.setSessionTableSchema(schema);
        NullSessionCache cache = new NullSessionCache(sessions);
        cache.setSessionDataStore(data);
        sessions.setSessionCache(cache);
    }
}
