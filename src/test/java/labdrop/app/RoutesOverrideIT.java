package labdrop.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import labdrop.request.Priority;
import labdrop.request.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real server runs the routes shipped in its jar, and picks up an admin's override in routes.dir with a warning. */
class RoutesOverrideIT {
    @TempDir
    Path dir;

    @Test
    void withNoRoutesFolderTheShippedRoutesPlaceWork() throws Exception {
        try (TestLab lab = new TestLab(dir.resolve("state"), null, Map.of("LABDROP_ROUTES_DIR", ""))) {
            assertThat(lab.app.routeIds()).contains("placer", "state-ingest", "watchdog");
            assertThat(lab.app.routeWarnings()).isEmpty();
            lab.addActive("sut-r1");
            Request r = lab.file("sut-r1", "bob", Priority.NORMAL);
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(lab.config.dropDir()
                    .resolve("sut-r1/current/" + r.id() + ".xml")));
        }
    }

    @Test
    void anOverrideInRoutesDirIsPickedUpAndNamedAtStart() throws Exception {
        Path routes = Files.createDirectories(dir.resolve("etc-routes"));
        String shipped = new String(Routes.shipped("server.yaml"), StandardCharsets.UTF_8);
        Files.writeString(routes.resolve("server.yaml"), shipped + """

                # An admin's addition.
                - route:
                    id: admin-extra
                    from:
                      uri: "timer:admin-extra?repeatCount=1"
                      steps:
                        - log: "admin-extra ran"
                """);
        try (TestLab lab = new TestLab(dir.resolve("state"), null, Map.of("LABDROP_ROUTES_DIR", routes.toString()))) {
            assertThat(lab.app.routeIds()).contains("admin-extra", "placer");
            assertThat(lab.app.routeWarnings()).singleElement().asString()
                    .contains(routes.resolve("server.yaml").toString(), "differs from the routes/server.yaml shipped");
        }
    }
}
