package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import labdrop.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/agent.conf lists exactly the declared keys with their defaults; bad values name file, line and key. */
class AgentConfExampleTest {

    @Test
    void exampleFileListsEveryDeclaredKeyWithItsDefaultAndNothingElse() throws Exception {
        Properties example = new Properties();
        try (var in = Files.newBufferedReader(Path.of("conf/agent.conf"))) {
            example.load(in);
        }
        Map<String, String> declared = new LinkedHashMap<>();
        AgentConfig.SETTINGS.forEach(s -> declared.put(s.key(), s.defaultText()));
        Map<String, String> listed = new LinkedHashMap<>();
        example.stringPropertyNames().forEach(k -> listed.put(k, example.getProperty(k).strip()));
        assertThat(listed).containsExactlyInAnyOrderEntriesOf(declared);
    }

    @Test
    void exampleFileLoadsOnceHostAndDropAreSet() {
        AgentConfig config = AgentConfig.load(Path.of("conf/agent.conf"),
                Map.of("LABDROP_HOST", "sut-01", "LABDROP_DROP_URL", "sftp://sut-01@lab.example.org:2222/"));
        assertThat(config.drop().getPort()).isEqualTo(2222);
        assertThat(config.directionDefaults()).containsEntry("accept_from", "anyone");
    }

    @Test
    void missingHostAndBadValuesAreNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> AgentConfig.load(null, Map.of("LABDROP_DROP_URL", "file:///srv/drop/sut-01")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key 'host' is empty");
        Path conf = Files.writeString(dir.resolve("agent.conf"), "host = sut-01\ndrop.url = ftp://x/\n");
        assertThatThrownBy(() -> AgentConfig.load(conf, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("drop.url").hasMessageContaining("file://, sftp:// or rsync+ssh://");
        Path bad = Files.writeString(dir.resolve("bad.conf"), "host = sut-01\ndrop.url = file:///d\naccept_from = alice; drop table\n");
        assertThatThrownBy(() -> AgentConfig.load(bad, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad.conf:3").hasMessageContaining("accept_from");
        Path longWait = Files.writeString(dir.resolve("wait.conf"), "host = sut-01\ndrop.url = file:///d\ndoorbell.wait = 56s\n");
        assertThatThrownBy(() -> AgentConfig.load(longWait, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("wait.conf:3").hasMessageContaining("doorbell.wait").hasMessageContaining("0s to 55s");
        Path traversal = Files.writeString(dir.resolve("t.conf"), "host = ../sut-02\ndrop.url = file:///d\n");
        assertThatThrownBy(() -> AgentConfig.load(traversal, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("host");
    }
}
