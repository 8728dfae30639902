package labdrop.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.api.MigrationVersion;

/**
 * Whether a store's schema is this version's: the newest migration Flyway applied to it against
 * the newest this build ships under {@code db/migration} (read from the jar's entries, which costs
 * far less than Flyway's own scan and validation).
 */
final class Schema {
    static final String MIGRATIONS = "db/migration";
    private static final Pattern FILE = Pattern.compile(".*/V([0-9][0-9_.]*)__[^/]*\\.sql");

    private Schema() {
    }

    /** True when the store holds every migration this build ships; false when it holds none or older ones. */
    static boolean current(DataSource dataSource) {
        Optional<MigrationVersion> applied = applied(dataSource);
        return applied.isPresent() && applied.get().compareTo(newestShipped()) >= 0;
    }

    /**
     * Refuses a store whose schema a newer labdrop migrated (another node of a cluster, upgraded
     * first): this build would misread what it does not know. Flyway itself ignores such
     * migrations, so the check is made here, before Flyway runs.
     */
    static void refuseNewer(DataSource dataSource) {
        Optional<MigrationVersion> applied = applied(dataSource);
        MigrationVersion shipped = newestShipped();
        if (applied.isPresent() && applied.get().compareTo(shipped) > 0) {
            throw new IllegalStateException("the store's schema is at version " + applied.get() + ", newer than the "
                    + shipped + " this labdrop knows: a newer labdrop (another node of the cluster, upgraded first) migrated"
                    + " it. Upgrade this node's labdrop package before starting it (docs/cluster.md, \"Rolling upgrade\")");
        }
    }

    /** The newest migration Flyway applied to the store; empty when it has none (a new store). */
    private static Optional<MigrationVersion> applied(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rows = st.executeQuery("select \"version\" from \"flyway_schema_history\" where \"success\"")) {
            MigrationVersion newest = null;
            while (rows.next()) {
                String v = rows.getString(1);
                MigrationVersion version = v == null ? null : MigrationVersion.fromVersion(v);
                if (version != null && (newest == null || version.compareTo(newest) > 0)) {
                    newest = version;
                }
            }
            return Optional.ofNullable(newest);
        } catch (SQLException noHistoryYet) {
            return Optional.empty();
        }
    }

    /** The newest migration of this build: the highest {@code V<version>__*.sql} under db/migration. */
    static MigrationVersion newestShipped() {
        try {
            Path code = Path.of(Schema.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            MigrationVersion newest = MigrationVersion.EMPTY;
            if (Files.isDirectory(code)) {
                try (Stream<Path> files = Files.list(code.resolve(MIGRATIONS))) {
                    for (Path f : files.toList()) {
                        newest = max(newest, "/" + MIGRATIONS + "/" + f.getFileName());
                    }
                }
            } else {
                try (JarFile jar = new JarFile(code.toFile())) {
                    for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                        newest = max(newest, "/" + e.getName());
                    }
                }
            }
            return newest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list this build's migrations", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MigrationVersion max(MigrationVersion newest, String name) {
        Matcher m = FILE.matcher(name);
        if (!m.matches() || !name.startsWith("/" + MIGRATIONS + "/")) {
            return newest;
        }
        MigrationVersion version = MigrationVersion.fromVersion(m.group(1).replace('_', '.'));
        return version.compareTo(newest) > 0 ? version : newest;
    }
}
