package labdrop.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which routes load: the shipped ones unless routes.dir replaces one, and a differing override is named. */
class RoutesTest {
    @TempDir
    Path dir;

    @Test
    void theShippedListIsTheSourceTreesRoutesFolderAndEachIsInTheJar() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrderElementsOf(Routes.SHIPPED);
        }
        for (String name : Routes.SHIPPED) {
            assertThat(Routes.shipped(name)).isEqualTo(Files.readAllBytes(Path.of("routes", name)));
        }
    }

    @Test
    void withoutAnOverrideTheShippedRoutesLoadFromTheClassPath() {
        assertThat(Routes.of(null, "1.2.3").includePattern()).isEqualTo("classpath:routes/server.yaml");
        assertThat(Routes.of(dir.resolve("missing"), "1.2.3").includePattern()).isEqualTo("classpath:routes/server.yaml");
        assertThat(Routes.of(dir, "1.2.3").warnings()).isEmpty();
    }

    @Test
    void aCopyOfTheShippedRoutesIsSilentAndADifferentOneIsNamedWithTheVersion() throws Exception {
        Path same = Files.write(dir.resolve("server.yaml"), Routes.shipped("server.yaml"));
        Routes copy = Routes.of(dir, "1.2.3");
        assertThat(copy.includePattern()).isEqualTo("file:" + same);
        assertThat(copy.warnings()).isEmpty();

        Files.writeString(same, Files.readString(same).replace("placer", "placer-renamed"));
        Routes changed = Routes.of(dir, "1.2.3");
        assertThat(changed.includePattern()).isEqualTo("file:" + same);
        assertThat(changed.warnings()).singleElement().asString()
                .contains(same.toString(), "differs from the routes/server.yaml shipped with labdrop 1.2.3", "remove it");
    }

    @Test
    void anExtraFileAddsRoutesBesideTheShippedOnesAndIsNamed() throws Exception {
        Path extra = Files.writeString(dir.resolve("extra.yaml"), "[]\n");
        Routes routes = Routes.of(dir, "1.2.3");
        assertThat(routes.includePattern()).isEqualTo("classpath:routes/server.yaml,file:" + extra);
        assertThat(routes.warnings()).singleElement().asString().contains(extra.toString(), "adds routes");
    }
}
