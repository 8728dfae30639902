package labdrop.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;

/**
 * The scenario suite on PostgreSQL. The README's test command (.ci/test) starts Debian's
 * PostgreSQL on a loopback port and passes its URL in LABDROP_TEST_PG_URL; each test gets a new
 * database. Without that variable the suite fails and says how to provide one.
 */
class PostgresScenarioIT extends ScenarioSuite {
    @Override
    String freshDatabaseUrl() throws Exception {
        String admin = System.getenv("LABDROP_TEST_PG_URL");
        if (admin == null) {
            throw new IllegalStateException("LABDROP_TEST_PG_URL is not set: run the README's test command"
                    + " (.ci/test), which starts PostgreSQL, or set it to a superuser JDBC URL such as"
                    + " jdbc:postgresql://127.0.0.1:55432/postgres?user=postgres");
        }
        String name = "labdrop_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(admin)) {
            c.createStatement().execute("create database " + name);
        }
        return admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }
}
