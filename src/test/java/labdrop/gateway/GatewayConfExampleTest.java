package labdrop.gateway;

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

/** conf/gateway.conf lists exactly the declared keys with their defaults; bad values name file, line and key. */
class GatewayConfExampleTest {

    @Test
    void exampleFileListsEveryDeclaredKeyWithItsDefaultAndNothingElse() throws Exception {
        Properties example = new Properties();
        try (var in = Files.newBufferedReader(Path.of("conf/gateway.conf"))) {
            example.load(in);
        }
        Map<String, String> declared = new LinkedHashMap<>();
        GatewayConfig.SETTINGS.forEach(s -> declared.put(s.key(), s.defaultText()));
        Map<String, String> listed = new LinkedHashMap<>();
        example.stringPropertyNames().forEach(k -> listed.put(k, example.getProperty(k).strip()));
        assertThat(listed).containsExactlyInAnyOrderEntriesOf(declared);
    }

    @Test
    void exampleFileLoadsOnceTheServerIsSetAndItsFoldersDefaultUnderTheStateDir() {
        GatewayConfig config = GatewayConfig.load(Path.of("conf/gateway.conf"),
                Map.of("LABDROP_SERVER_URL", "sftp://lab-east@labdrop.example.org:2222/"));
        assertThat(config.lab()).isEqualTo("lab-east");
        assertThat(config.dropDir()).isEqualTo(Path.of("/var/lib/labdrop-gateway/drop"));
        assertThat(config.keysDir()).isEqualTo(Path.of("/var/lib/labdrop-gateway/keys"));
        assertThat(config.upstream().identity()).isEqualTo(Path.of("/var/lib/labdrop-gateway/id_ed25519"));
        assertThat(config.ssh().hostKey()).isEqualTo(Path.of("/var/lib/labdrop-gateway/ssh_host_ed25519_key"));
    }

    @Test
    void aMissingOrWrongServerAndATooShortIntervalAreNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> GatewayConfig.load(null, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key 'server.url' is empty");
        assertThatThrownBy(() -> GatewayConfig.load(null, Map.of("LABDROP_SERVER_URL", "ftp://lab@server:2222/")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sftp://LAB@SERVER:PORT/")
                .hasMessageContaining("rsync+ssh://LAB@SERVER:PORT/");
        assertThat(GatewayConfig.load(null, Map.of("LABDROP_SERVER_URL", "rsync+ssh://lab@server:2222/")).server().getScheme())
                .isEqualTo("rsync+ssh");
        assertThatThrownBy(() -> GatewayConfig.load(null, Map.of("LABDROP_SERVER_URL", "sftp://../x@server:2222/")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.url");
        Path conf = Files.writeString(dir.resolve("gateway.conf"), "server.url = sftp://lab@server:2222/\nsync.every = 10ms\n");
        assertThatThrownBy(() -> GatewayConfig.load(conf, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sync.every").hasMessageContaining("100ms");
        Path typo = Files.writeString(dir.resolve("typo.conf"), "server.url = sftp://lab@server:2222/\nsync.evry = 1s\n");
        assertThatThrownBy(() -> GatewayConfig.load(typo, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("typo.conf:2");
    }
}
