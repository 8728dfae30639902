package labdrop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void unknownKeyStopsStartUpNamingFileLineAndKey() throws Exception {
        Path conf = Files.writeString(dir.resolve("server.conf"), "# comment\n\ndb.pool-size = 4\nplacer.intervall = 2s\n");
        assertThatThrownBy(() -> ServerConfig.load(conf, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(conf + ":4")
                .hasMessageContaining("unknown key 'placer.intervall'");
    }

    @Test
    void malformedValueNamesFileLineKeyAndWhatIsExpected() throws Exception {
        Path conf = Files.writeString(dir.resolve("server.conf"), "watchdog.heartbeat = soon\n");
        assertThatThrownBy(() -> ServerConfig.load(conf, Map.of()))
                .hasMessageContaining(conf + ":1")
                .hasMessageContaining("'watchdog.heartbeat'")
                .hasMessageContaining("'soon'")
                .hasMessageContaining("a duration such as");
    }

    @Test
    void keySetTwiceIsRefused() throws Exception {
        Path conf = Files.writeString(dir.resolve("server.conf"), "db.pool-size = 4\ndb.pool-size = 5\n");
        assertThatThrownBy(() -> ServerConfig.load(conf, Map.of())).hasMessageContaining(":2")
                .hasMessageContaining("set twice (first on line 1)");
    }

    @Test
    void environmentOverridesTheFileAndBadEnvironmentValuesAreNamed() throws Exception {
        Path conf = Files.writeString(dir.resolve("server.conf"), "watchdog.heartbeat = 10m\n");
        ServerConfig config = ServerConfig.load(conf, Map.of("LABDROP_WATCHDOG_HEARTBEAT", "90s"));
        assertThat(config.watchdog().heartbeat()).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> ServerConfig.load(conf, Map.of("LABDROP_DB_POOL_SIZE", "0")))
                .hasMessageContaining("environment variable LABDROP_DB_POOL_SIZE")
                .hasMessageContaining("a whole number from 1 to 100");
    }

    @Test
    void camelKeysPassThroughAndDerivedPathsFollowTheStateFolder() throws Exception {
        Path conf = Files.writeString(dir.resolve("server.conf"),
                "state.dir = " + dir.resolve("state") + "\ncamel.main.name = x\n");
        ServerConfig config = ServerConfig.load(conf, Map.of());
        assertThat(config.camelProperties()).containsEntry("camel.main.name", "x");
        assertThat(config.dropDir()).isEqualTo(dir.resolve("state/drop"));
        assertThat(config.database().url()).startsWith("jdbc:h2:file:" + dir.resolve("state/db"));
        assertThat(config.placeholders()).containsEntry("placer.interval", "1000");
    }
}
