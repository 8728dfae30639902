package labdrop.app;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A suite that runs against a real server on a temp folder, once per store (H2, PostgreSQL). */
abstract class LabPerStore {
    @TempDir
    Path dir;
    TestLab lab;

    /** The JDBC URL of a fresh, empty database, or null for the default embedded H2. */
    abstract String freshDatabaseUrl() throws Exception;

    /** Settings the suite's server runs with beyond TestLab's (environment variables). */
    Map<String, String> settings() {
        return Map.of();
    }

    @BeforeEach
    void startServer() throws Exception {
        lab = new TestLab(dir.resolve("state"), freshDatabaseUrl(), settings());
    }

    @AfterEach
    void stopServer() {
        if (lab != null) {
            lab.close();
        }
    }
}
