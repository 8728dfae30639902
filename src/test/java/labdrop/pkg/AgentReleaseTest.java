package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import labdrop.error.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentReleaseTest {
    @TempDir
    Path dir;

    Path lib(String... extra) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        for (String artifact : AgentRelease.LIBRARIES) {
            Files.writeString(lib.resolve(artifact + "-1.0.jar"), artifact);
        }
        for (String name : extra) {
            Files.writeString(lib.resolve(name), name);
        }
        return lib;
    }

    @Test
    void takesOneJarPerLibraryAndLeavesTheServersOut() throws Exception {
        List<Path> chosen = AgentRelease.libraries(lib("camel-core-model-4.18.0.jar", "jetty-server-12.1.14.jar", "h2-2.5.252.jar"));
        assertThat(chosen).hasSize(AgentRelease.LIBRARIES.size())
                .noneMatch(p -> p.getFileName().toString().matches("(camel|jetty|h2).*"));
        assertThat(chosen.stream().map(p -> p.getFileName().toString()))
                .contains("sshd-core-1.0.jar", "sshd-common-1.0.jar", "jaxb-core-1.0.jar", "logback-core-1.0.jar");
    }

    @Test
    void aMissingOrDoubledLibraryIsNamed() throws Exception {
        Path lib = lib("quartz-2.0.jar");
        assertThatThrownBy(() -> AgentRelease.libraries(lib)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("2 jars of quartz");
        Files.delete(lib.resolve("quartz-2.0.jar"));
        Files.delete(lib.resolve("sshd-sftp-1.0.jar"));
        assertThatThrownBy(() -> AgentRelease.libraries(lib)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("0 jars of sshd-sftp").hasMessageContaining("needs exactly one");
    }

    @Test
    void aFolderWithoutAVersionedJarIsRefusedWithTheReason() throws Exception {
        assertThatThrownBy(() -> AgentRelease.version(dir)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("holds no labdrop.jar");
    }

    @Test
    void theReleaseIsNamedInLowerCase() {
        assertThat(AgentRelease.file("0.2.0-SNAPSHOT").fileName()).isEqualTo("client-labdrop-agent-0.2.0-snapshot.tar.bz2");
    }
}
