package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class RouterTest {
    final Router<String> router = new Router<String>()
            .add("GET", "/hosts", "list")
            .add("GET", "/hosts/{host}/queue", "queue")
            .add("GET", "/hosts/{host}", "one")
            .add("PATCH", "/hosts/{host}", "change")
            .add("GET", "/requests/{id}/logs/{name...}", "log");

    @Test
    void aPathFindsItsHandlerAndBindsItsParameters() {
        assertThat(router.match("GET", "/hosts")).hasValueSatisfying(m -> assertThat(m.handler()).isEqualTo("list"));
        assertThat(router.match("GET", "/hosts/sut-01/queue")).hasValueSatisfying(m -> {
            assertThat(m.handler()).isEqualTo("queue");
            assertThat(m.params()).isEqualTo(Map.of("host", "sut-01"));
        });
        assertThat(router.match("PATCH", "/hosts/sut-01")).hasValueSatisfying(m -> assertThat(m.handler()).isEqualTo("change"));
    }

    @Test
    void theLastParameterWithDotsTakesTheRestOfThePath() {
        assertThat(router.match("GET", "/requests/r-1/logs/sysinfo/distribution.txt")).hasValueSatisfying(m ->
                assertThat(m.params()).isEqualTo(Map.of("id", "r-1", "name", "sysinfo/distribution.txt")));
        assertThat(router.match("GET", "/requests/r-1/logs")).isEmpty();
        assertThat(router.match("GET", "/requests/r-1/logs/")).as("an empty rest").isEmpty();
        assertThat(router.match("GET", "/requests/r-1/logs/config/")).hasValueSatisfying(m ->
                assertThat(m.params()).containsEntry("name", "config/"));
    }

    @Test
    void aWrongMethodOrShapeFindsNothingAndThePathSaysWhichMethodsItAnswers() {
        assertThat(router.match("DELETE", "/hosts/sut-01")).isEmpty();
        assertThat(router.methods("/hosts/sut-01")).containsExactly("GET", "PATCH");
        assertThat(router.match("GET", "/hosts/sut-01/queue/more")).isEmpty();
        assertThat(router.match("GET", "/hosts/")).as("an empty parameter").isEmpty();
        assertThat(router.methods("/nothing")).isEmpty();
    }

    /** The API's routes and the OpenAPI file list the same calls (but those served by their own handlers). */
    @Test
    void everyApiRouteIsInTheOpenApiFileAndEveryCallThereHasARoute() throws Exception {
        Router<ApiCall> api = ApiHandler.routes(null);
        Set<String> ownHandlers = Set.of("PUT /packages/{repository}/{file}", "GET /hosts/{host}/generation");
        List<String> documented = new ArrayList<>();
        try (InputStream in = ApiHandler.class.getResourceAsStream("/openapi.yaml")) {
            Map<?, ?> doc = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
            ((Map<?, ?>) doc.get("paths")).forEach((template, operations) -> ((Map<?, ?>) operations).keySet().stream()
                    .map(String::valueOf).filter(m -> Set.of("get", "put", "post", "patch", "delete").contains(m))
                    .forEach(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + template)));
        }
        List<String> routed = new ArrayList<>();
        for (Router.Route<ApiCall> route : api.routes()) {
            routed.add(route.method() + " " + route.pattern().replace("{name...}", "{name}"));
        }
        List<String> expected = new ArrayList<>(documented);
        expected.removeAll(ownHandlers);
        assertThat(routed).containsExactlyInAnyOrderElementsOf(expected);
    }
}
