package labdrop.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** conf/server.conf must list exactly the declared keys, each with its declared default. */
class ServerConfExampleTest {

    @Test
    void exampleFileListsEveryDeclaredKeyWithItsDefaultAndNothingElse() throws Exception {
        Properties example = new Properties();
        try (var in = Files.newBufferedReader(Path.of("conf/server.conf"))) {
            example.load(in);
        }
        Map<String, String> declared = new LinkedHashMap<>();
        ServerConfig.SETTINGS.forEach(s -> declared.put(s.key(), s.defaultText()));
        Map<String, String> listed = new LinkedHashMap<>();
        example.stringPropertyNames().forEach(k -> listed.put(k, example.getProperty(k).strip()));
        assertThat(listed).containsExactlyInAnyOrderEntriesOf(declared);
    }

    @Test
    void exampleFileLoadsAsIs() {
        assertThat(ServerConfig.load(Path.of("conf/server.conf"), Map.of()).watchdog().cron()).isEqualTo("0/30 * * * * ?");
    }
}
