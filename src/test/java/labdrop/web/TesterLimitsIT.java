package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tester's boundary (API, web form): a request the drop cannot carry is refused at filing
 * with the rule (400), nothing stored; a request that still cannot be placed ends as Error and
 * never holds up the placer for other hosts; an unknown method or a bad upload is a 4xx, never a 500.
 */
class TesterLimitsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    TestLab lab;
    String base;
    String tess;
    String admin;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        base = "http://127.0.0.1:" + lab.app.httpPort();
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-1".toCharArray());
        tess = lab.s.accounts().newToken("tess", "limits");
        admin = lab.s.accounts().newToken("admin", "limits");
        lab.addActive("sut-a");
        lab.addActive("sut-b");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    HttpResponse<String> call(String method, String path, String token, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method, body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> file(String json) throws Exception {
        return call("POST", "/api/v1/requests", tess, HttpRequest.BodyPublishers.ofString(json));
    }

    static String test(String args) {
        return "{\"package\":\"dbench\",\"args\":[" + args + "]}";
    }

    void expectRefused(HttpResponse<String> answer, String rule) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        JsonNode error = Errors.JSON.readTree(answer.body());
        assertThat(error.path("error").asText()).contains(rule);
    }

    @Test
    void requestsTheDropCannotCarryAreRefusedAtFilingWithTheRule() throws Exception {
        String many = String.join(",", Collections.nCopies(101, "\"-v\""));
        expectRefused(file("{\"host\":\"sut-a\",\"tests\":[" + test(many) + "]}"), "101 arguments; at most 100");
        String longArg = "\"" + "x".repeat(1001) + "\"";
        expectRefused(file("{\"host\":\"sut-a\",\"tests\":[" + test(longArg) + "]}"), "longer than 1000 characters");
        String wide = String.join(",", Collections.nCopies(50, "\"" + "y".repeat(100) + "\""));
        expectRefused(file("{\"host\":\"sut-a\",\"tests\":[" + test(wide) + "]}"), "at most 4000 are allowed together");
        expectRefused(file("{\"host\":\"sut-a\",\"tests\":[" + test("\"a\\u0001b\"") + "]}"), "control character");
        expectRefused(file("{\"host\":\"sut-a\",\"timeoutSeconds\":0,\"tests\":[\"dbench\"]}"), "out of range");
        expectRefused(file("{\"host\":\"sut-a\",\"timeoutSeconds\":-1,\"tests\":[\"dbench\"]}"), "out of range");
        expectRefused(file("{\"host\":\"sut-a\",\"tests\":[{\"package\":\"dbench\",\"timeoutSeconds\":0}]}"),
                "out of range");
        String thousandAndOne = String.join(",", Collections.nCopies(1001, "\"dbench\""));
        expectRefused(file("{\"host\":\"sut-a\",\"tests\":[" + thousandAndOne + "]}"), "1001 tests; at most 1000");
        expectRefused(file("{\"host\":\"sut-a\",\"kernelInstall\":\"" + "k".repeat(1001) + "\",\"tests\":[\"dbench\"]}"),
                "kernel-install step");
        expectRefused(file("{\"host\":\"sut-a\",\"buildSet\":\"" + "b".repeat(1001) + "\",\"tests\":[\"dbench\"]}"),
                "build-set step");
        assertThat(lab.s.desk().list(null, null, 100)).as("nothing refused was stored").isEmpty();

        HttpResponse<String> fine = file("{\"host\":\"sut-a\",\"tests\":[" + test("\"" + "x".repeat(1000) + "\"") + "]}");
        assertThat(fine.statusCode()).as("the limits themselves are allowed: " + fine.body()).isEqualTo(201);
        await().atMost(WAIT).until(() -> Files.list(lab.config.dropDir().resolve("sut-a/current")).count() == 1);
    }

    @Test
    void theWebFormRefusesALongArgumentWithTheRuleAndStoresNothing() throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String page = browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        browser.send(form("/login", Map.of("csrf", csrf(page), "user", "tess", "password", "tess-password-1")),
                HttpResponse.BodyHandlers.ofString());
        String formPage = browser.send(HttpRequest.newBuilder(URI.create(base + "/requests/new")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        HttpResponse<String> answer = browser.send(form("/requests", Map.of("csrf", csrf(formPage), "host", "sut-a",
                "test-1", "dbench", "args-1", "z".repeat(1500), "priority", "normal")), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("longer than 1000 characters");
        assertThat(lab.s.desk().list(null, null, 100)).isEmpty();
    }

    @Test
    void theWebFormTakesAtMostFiftyTestsAndTheRequestsPageBoundsItsSearch() throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String page = browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        browser.send(form("/login", Map.of("csrf", csrf(page), "user", "tess", "password", "tess-password-1")),
                HttpResponse.BodyHandlers.ofString());
        String formPage = browser.send(HttpRequest.newBuilder(URI.create(base + "/requests/new")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, String> fields = new HashMap<>(Map.of("csrf", csrf(formPage), "host", "sut-a", "priority", "normal"));
        for (int n = 1; n <= 51; n++) {
            fields.put("test-" + n, "dbench");
        }
        HttpResponse<String> answer = browser.send(form("/requests", fields), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("the form takes up to 50 tests; file longer lists with the API or labdrop request file");
        answer = browser.send(form("/requests", Map.of("csrf", csrf(formPage), "host", "sut-a", "test-1", "dbench",
                "args-2", "-t 5")), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("test 2 has arguments but no test");
        assertThat(answer.body()).as("the form comes back as it was").contains("value=\"-t 5\"");
        assertThat(lab.s.desk().list(null, null, 100)).isEmpty();

        HttpResponse<String> list = browser.send(HttpRequest.newBuilder(URI.create(base + "/requests?q=" + "x".repeat(101)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(400);
        assertThat(list.body()).contains("the search text has 101 characters; at most 100");
        list = browser.send(HttpRequest.newBuilder(URI.create(base + "/requests?page=999999")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(400);
        assertThat(list.body()).contains("page");
    }

    HttpRequest form(String path, Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a CSRF token in the form").isTrue();
        return m.group(1);
    }

    @Test
    void aPoisonedRequestEndsAsErrorWhileThePlacerGoesOnForEveryHost() throws Exception {
        lab.s.hosts().maint("sut-a");
        Request poisoned = lab.file("sut-a", "bob", Priority.URGENT);
        Request next = lab.file("sut-a", "bob", Priority.NORMAL);
        // A request stored before today's limits (or edited in the store): an argument the schema refuses.
        lab.s.lab().store().tx(h -> h.createUpdate("update request_tests set args = :a where request_num = :n")
                .bind("a", "p".repeat(2000)).bind("n", poisoned.number()).execute());
        lab.s.hosts().activate("sut-a");
        Request other = lab.file("sut-b", "bob", Priority.NORMAL);

        await().atMost(WAIT).until(() -> lab.s.desk().find(poisoned.id()).state() == RequestState.ERROR);
        assertThat(lab.s.desk().find(poisoned.id()).reason()).contains("could not write this request's file");
        await().atMost(WAIT).until(() -> Files.exists(lab.config.dropDir().resolve("sut-b/current/" + other.id() + ".xml")));
        await().atMost(WAIT).until(() -> Files.exists(lab.config.dropDir().resolve("sut-a/current/" + next.id() + ".xml")));
        assertThat(lab.s.desk().find(next.id()).state()).isEqualTo(RequestState.PLACED);
        assertThat(lab.config.dropDir().resolve("sut-a/current/" + poisoned.id() + ".xml")).doesNotExist();
    }

    @Test
    void unsupportedMethodsAnswer405WithAllowAndTheJsonError() throws Exception {
        for (String method : new String[] {"TRACE", "OPTIONS", "PUT", "DELETE", "PATCH", "PROPFIND"}) {
            HttpResponse<String> answer = call(method, "/api/v1/hosts", admin, HttpRequest.BodyPublishers.noBody());
            assertThat(answer.statusCode()).as(method + ": " + answer.body()).isEqualTo(405);
            assertThat(answer.headers().firstValue("Allow")).as(method).hasValue("GET, POST");
            assertThat(Errors.JSON.readTree(answer.body()).path("error").asText()).contains("does not answer " + method);
        }
        HttpResponse<String> unknown = call("GET", "/api/v1/nothing/here", admin, HttpRequest.BodyPublishers.noBody());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(call("DELETE", "/api/v1/hosts/sut-a/maint", admin, HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(405);
    }

    @Test
    void badPackageUploadsAreClientErrorsNotServerErrors() throws Exception {
        byte[] junk = "this is not a bzip2 tarball at all".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> traversal = upload("custom/../builtin/x.tar.bz2", junk);
        assertThat(traversal.statusCode()).as(traversal.body()).isEqualTo(400);
        HttpResponse<String> empty = upload("custom/test-x.tar.bz2", new byte[0]);
        assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);
        assertThat(Errors.JSON.readTree(empty.body()).path("error").asText()).contains("is empty");
        HttpResponse<String> notATarball = upload("custom/test-x.tar.bz2", junk);
        assertThat(notATarball.statusCode()).as(notATarball.body()).isEqualTo(400);
        assertThat(Errors.JSON.readTree(notATarball.body()).path("error").asText())
                .contains("test-x.tar.bz2 is not a package labdrop can install");
        assertThat(lab.config.http().repositories().get("custom").resolve("test-x.tar.bz2")).doesNotExist();
    }

    HttpResponse<String> upload(String path, byte[] body) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/packages/" + path))
                .header("Authorization", "Bearer " + admin).header("X-Labdrop-Sha256", sha)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSysinfoFolderOfThirtyThousandFilesKeepsThePageAndTheAnswerSmall() throws Exception {
        Request r = lab.file("sut-a", "tess", Priority.NORMAL);
        Path sysinfo = Files.createDirectories(lab.config.dropDir().resolve("sut-a/results/" + r.id() + "/sysinfo"));
        for (int i = 0; i < 30_000; i++) {
            Files.writeString(sysinfo.resolve(String.format("f%05d.txt", i)), "x");
        }
        HttpResponse<String> api = call("GET", "/api/v1/requests/" + r.id(), tess, HttpRequest.BodyPublishers.noBody());
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(Errors.JSON.readTree(api.body()).path("sysinfo").size()).isEqualTo(100);
        assertThat(api.body().length()).as("the API answer").isLessThan(50_000);

        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String login = browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        browser.send(form("/login", Map.of("csrf", csrf(login), "user", "tess", "password", "tess-password-1")),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(base + "/requests/" + r.id())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("the first 100 files are listed");
        assertThat(page.body().length()).as("the request page").isLessThan(100_000);
    }
}
