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
        Optional<MigrationVersion> applied;
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
            applied = Optional.ofNullable(newest);
        } catch (SQLException noHistoryYet) {
            return false;
        }
        return applied.isPresent() && applied.get().compareTo(newestShipped()) >= 0;
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
