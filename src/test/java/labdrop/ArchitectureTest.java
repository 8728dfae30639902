package labdrop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The domain knows no framework: request, host and drop import no Camel, Jetty, SSHD, Quartz or Jdbi. */
class ArchitectureTest {
    private static final List<String> DOMAIN = List.of("request", "host", "drop", "error", "config", "pkg");
    private static final List<String> FRAMEWORKS = List.of("org.apache.camel", "org.eclipse.jetty",
            "org.apache.sshd", "org.quartz", "org.jdbi", "com.zaxxer", "org.flywaydb", "picocli");

    @Test
    void domainPackagesImportNoFramework() throws IOException {
        for (String pkg : DOMAIN) {
            try (Stream<Path> files = Files.walk(Path.of("src/main/java/labdrop", pkg))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    List<String> imports = Files.readAllLines(file).stream().filter(l -> l.startsWith("import")).toList();
                    assertThat(imports).as(file.toString())
                            .noneMatch(line -> FRAMEWORKS.stream().anyMatch(line::contains));
                }
            }
        }
    }

    @Test
    void noGrabBagPackages() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("src/main/java/labdrop"))) {
            assertThat(dirs.map(d -> d.getFileName().toString()))
                    .doesNotContain("util", "utils", "common", "helpers", "misc");
        }
    }
}
