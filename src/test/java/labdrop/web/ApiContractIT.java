package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import labdrop.request.RequestState;
import labdrop.user.Role;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's contract: each answer compared with a golden JSON file under
 * src/test/resources/api-golden/ (times, digests and fingerprints replaced by placeholders before
 * comparing; key order is part of the contract). A deliberate change to the API rewrites them with
 * {@code -Dlabdrop.golden=update}, and the diff is reviewed like code.
 */
class ApiContractIT {
    static final Path GOLDEN = Path.of("src/test/resources/api-golden");
    static final String OLIVE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILLgOll+m558STXsR1LtiN8abOPfni5oQFCAiw4BmE92 olive@laptop";
    @TempDir
    Path dir;
    TestLab lab;
    String base;
    String admin;
    String tess;
    String olive;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        base = "http://127.0.0.1:" + lab.app.httpPort() + "/api/v1";
        admin = lab.s.accounts().newToken("admin", "contract");
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-1".toCharArray());
        tess = lab.s.accounts().newToken("tess", "contract");
        lab.s.accounts().setAccount("olive", Role.TESTER, "olive-password-1".toCharArray());
        olive = lab.s.accounts().newToken("olive", "contract");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Calls, checks the status, and compares the body with golden/{name}.json. */
    JsonNode expect(String name, int status, String method, String path, String token, String body) throws Exception {
        HttpResponse<String> response = call(method, path, token, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode actual = Errors.JSON.readTree(response.body());
        JsonNode normal = normalise(actual.deepCopy());
        Path file = GOLDEN.resolve(name + ".json");
        String pretty = Errors.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(normal) + "\n";
        if ("update".equals(System.getProperty("labdrop.golden"))) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, pretty);
        }
        assertThat(file).as("golden file " + file + " (run with -Dlabdrop.golden=update to create it)").exists();
        assertThat(pretty).as(method + " " + path + " against " + file).isEqualTo(Files.readString(file));
        return actual;
    }

    /** Replaces what differs between runs (times, digests, fingerprints) with placeholders. */
    static JsonNode normalise(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                field.setValue(normalise(field.getValue()));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, normalise(array.get(i)));
            }
        } else if (node.isTextual()) {
            String text = node.asText();
            if (text.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z")) {
                return TextNode.valueOf("<time>");
            }
            if (text.matches("\\d{4}-\\d\\d-\\d\\d")) {
                return TextNode.valueOf("<day>");
            }
            if (text.matches("[0-9a-f]{64}")) {
                return TextNode.valueOf("<sha256>");
            }
        }
        return node;
    }

    @Test
    void everyCallAnswersTheDocumentedShape() throws Exception {
        expect("me", 200, "GET", "/me", tess, null);
        expect("host-created", 201, "POST", "/hosts", admin,
                "{\"name\":\"sut-01\",\"labels\":[\"x86\",\"lab-a\"],\"owner\":\"olive\",\"active\":true}");
        expect("error-tester-adds-host", 403, "POST", "/hosts", tess, "{\"name\":\"sut-02\"}");
        expect("error-host-exists", 409, "POST", "/hosts", admin, "{\"name\":\"sut-01\"}");
        expect("request-filed", 201, "POST", "/requests", tess,
                "{\"host\":\"sut-01\",\"tests\":[\"dbench:--quick\"],\"priority\":\"high\"}");
        expect("request-queued", 201, "POST", "/requests", tess,
                "{\"host\":\"sut-01\",\"tests\":[{\"package\":\"dbench\",\"args\":[\"-n\",\"2\"]}]}");
        call("POST", "/requests", tess, "{\"host\":\"sut-01\",\"tests\":[\"dbench\"],\"priority\":\"low\"}");
        expect("error-tester-moves", 403, "POST", "/requests/r-3/move", tess, "{\"direction\":\"top\"}");
        expect("request-moved", 200, "POST", "/requests/r-3/move", olive, "{\"direction\":\"top\"}");
        expect("queue", 200, "GET", "/hosts/sut-01/queue", tess, null);
        expect("host", 200, "GET", "/hosts/sut-01", tess, null);
        call("PATCH", "/hosts/sut-01", admin, "{\"hardResetCommand\":\"ipmitool -P secret power cycle\"}");
        assertThat(Errors.JSON.readTree(call("GET", "/hosts/sut-01", tess, null).body()).has("hardResetCommand"))
                .as("a tester does not see the hard reset command (it may hold a BMC password)").isFalse();
        expect("host-as-admin", 200, "GET", "/hosts/sut-01", admin, null);
        expect("hosts", 200, "GET", "/hosts", tess, null);
        expect("error-directions-invalid", 400, "PUT", "/hosts/sut-01/config/directions", admin, "auto_retrieve = maybe\n");
        expect("config-written", 200, "PUT", "/hosts/sut-01/config/directions", admin, "auto_retrieve = false\n");
        expect("config-file", 200, "GET", "/hosts/sut-01/config/directions", tess, null);
        expect("config-files", 200, "GET", "/hosts/sut-01/config", tess, null);
        expect("key-added", 201, "POST", "/hosts/sut-01/keys", admin, "{\"key\":\"" + OLIVE_KEY + "\"}");
        expect("keys", 200, "GET", "/hosts/sut-01/keys", tess, null);
        expect("error-tester-cancels-anothers", 403, "POST", "/requests/r-2/cancel", tokenOf("carl"), null);
        expect("request-cancelled", 200, "POST", "/requests/r-1/cancel", tess, null);
        expect("request", 200, "GET", "/requests/r-1", tess, null);
        expect("requests", 200, "GET", "/requests?host=sut-01&state=Queued", tess, null);
        expect("users", 200, "GET", "/users", tess, null);
        expect("user-added", 201, "POST", "/users", admin, "{\"name\":\"dana\",\"role\":\"tester\",\"password\":\"dana-password-1\"}");
        expect("error-short-password", 400, "POST", "/users", admin, "{\"name\":\"eve\",\"password\":\"short\"}");
        expect("packages", 200, "GET", "/packages", tess, null);
        expect("stats", 200, "GET", "/hosts/sut-01/stats?days=2", tess, null);
        expect("error-unauthorised", 401, "GET", "/hosts", null, null);
        expect("error-no-host", 404, "GET", "/hosts/nosuch", tess, null);
        expect("error-bad-json", 400, "POST", "/requests", tess, "{\"host\": ");
        expect("error-no-call", 404, "GET", "/nonsense", tess, null);
        assertThat(call("DELETE", "/hosts/sut-01", admin, null).statusCode()).as("no such method, not a crash").isEqualTo(405);
        assertThat(call("GET", "/requests/r-1/nonsense", tess, null).statusCode()).isEqualTo(404);
        expect("maint", 200, "POST", "/hosts/sut-01/maint", admin, null);

        // A finished request: per-test results and the SUT's sysinfo files.
        lab.addActive("sut-02");
        String id = lab.file("sut-02", "tess", Priority.NORMAL).id();
        Path sysinfo = Files.createDirectories(lab.config.dropDir().resolve("sut-02/results/" + id + "/sysinfo"));
        Files.writeString(sysinfo.resolve("distribution.txt"), "Debian GNU/Linux 13 (trixie)\n");
        // Step by step, so the timeline is the same on every run.
        var sut = lab.sut("sut-02");
        sut.state("Running", id, "1/2 t1");
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> lab.s.desk().find(id).state() == RequestState.RUNNING);
        sut.result(id, "pass", "fail");
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> lab.s.desk().find(id).state().isFinal());
        sut.state("Available", null, null);
        expect("request-finished", 200, "GET", "/requests/" + id, tess, null);
        HttpResponse<String> distribution = call("GET", "/requests/" + id + "/logs/sysinfo/distribution.txt", tess, null);
        assertThat(distribution.body()).isEqualTo("Debian GNU/Linux 13 (trixie)\n");
        assertThat(call("GET", "/requests/" + id + "/logs/sysinfo/../../../sut-01/state_file", tess, null).statusCode())
                .isEqualTo(404);
    }

    String tokenOf(String user) {
        lab.s.accounts().setAccount(user, Role.TESTER, (user + "-password-1").toCharArray());
        return lab.s.accounts().newToken(user, "contract");
    }

    @Test
    void theOpenApiFileIsServedWithoutATokenAndNamesEveryCall() throws Exception {
        HttpResponse<String> spec = call("GET", "/openapi.yaml", null, null);
        assertThat(spec.statusCode()).isEqualTo(200);
        assertThat(spec.body()).startsWith("openapi: 3").contains("/requests/{id}/cancel:", "/requests/{id}/move:",
                "/hosts/{host}/config/{file}:", "/hosts/{host}/keys:", "/users:", "/stats:", "/packages:");
    }

    @Test
    void statsCountOutcomesPerDayAndTheQueueLengthNow() throws Exception {
        lab.addActive("sut-09");
        for (int i = 0; i < 3; i++) {
            call("POST", "/requests", tess, "{\"host\":\"sut-09\",\"tests\":[\"dbench\"]}");
        }
        call("POST", "/requests/r-1/cancel", admin, null);
        JsonNode stats = Errors.JSON.readTree(call("GET", "/stats?days=1", tess, null).body());
        JsonNode queue = stats.get("queueLength");
        assertThat(queue.get(queue.size() - 1).get("queued").asInt()).as("r-2 placed after r-1 was cancelled; r-3 waits")
                .isEqualTo(1);
        assertThat(stats.get("outcomesPerDay")).hasSize(1);
        assertThat(stats.get("outcomesPerDay").get(0).get("Passed").asInt()).isZero();
    }
}
