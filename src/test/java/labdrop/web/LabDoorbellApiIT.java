package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import labdrop.admin.HostDraft;
import labdrop.agent.SmokePackage;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.user.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/labs/<lab>/generation}: a lab gateway's doorbell over HTTP, read only with the
 * lab's own token, held until one of the lab's hosts changes (or joins or leaves the lab), and
 * bounded like a host's doorbell.
 */
class LabDoorbellApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    TestLab lab;
    String base;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        base = "http://127.0.0.1:" + lab.app.httpPort() + "/api/v1/labs/";
        for (String host : List.of("sut-a", "sut-b", "sut-c", "sut-x")) {
            lab.s.hosts().add(new HostDraft(host, "default", "", "olivia", false, true, null), "admin");
        }
        lab.s.keys().addLab("lab-east", List.of("sut-a", "sut-b"));
        lab.s.keys().addLab("lab-west", List.of("sut-x"));
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    HttpRequest.Builder poll(String labName, String token, String etag, String query) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + labName + "/generation" + query));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        return b;
    }

    HttpResponse<String> get(String labName, String token, String etag) throws Exception {
        return http.send(poll(labName, token, etag, "").build(), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> held(String token, String etag) {
        return http.sendAsync(poll("lab-east", token, etag, "?wait=55").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onlyTheLabsOwnTokenReadsItsGenerationsAndTheirHostsTokenHashes() throws Exception {
        String east = lab.s.labTokens().issue("lab-east");
        String west = lab.s.labTokens().issue("lab-west");
        String hostToken = lab.s.doorbell().issueToken("sut-a");
        String user = lab.s.accounts().newToken("admin", "lab-doorbell-it");
        for (String wrong : new String[] {null, west, hostToken, user, "ldt_forged"}) {
            HttpResponse<String> refused = get("lab-east", wrong, null);
            assertThat(refused.statusCode()).as(String.valueOf(wrong)).isEqualTo(401);
            assertThat(refused.body()).contains("labdrop lab token lab-east");
        }
        assertThat(get("no-such-lab", east, null).statusCode()).isEqualTo(401);
        assertThat(get("..%2Fsut-a", east, null).statusCode()).as("a traversal is no lab").isIn(400, 401);

        HttpResponse<String> answer = get("lab-east", east, null);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("lab").asText()).isEqualTo("lab-east");
        assertThat(answer.headers().firstValue("ETag")).hasValue("\"" + body.path("tag").asText() + "\"");
        List<String> hosts = new ArrayList<>();
        body.path("hosts").forEach(h -> hosts.add(h.path("name").asText()));
        assertThat(hosts).as("its hosts, and no other lab's").containsExactly("sut-a", "sut-b");
        assertThat(body.path("hosts").get(0).path("tokenSha256").asText()).isEqualTo(Tokens.hash(hostToken));
        assertThat(body.path("hosts").get(1).path("tokenSha256").isNull()).as("sut-b has no doorbell token").isTrue();
        String etag = answer.headers().firstValue("ETag").orElseThrow();
        assertThat(get("lab-east", east, etag).statusCode()).isEqualTo(304);

        String renewed = lab.s.labTokens().issue("lab-east");
        assertThat(get("lab-east", east, null).statusCode()).as("the replaced token").isEqualTo(401);
        assertThat(get("lab-east", renewed, etag).statusCode()).isEqualTo(304);
    }

    @Test
    void aHeldPollIsAnsweredByAFilingAHostJoiningTheLabOrItsWait() throws Exception {
        String token = lab.s.labTokens().issue("lab-east");
        String etag = get("lab-east", token, null).headers().firstValue("ETag").orElseThrow();
        CompletableFuture<HttpResponse<String>> poll = held(token, etag);
        Thread.sleep(500);
        assertThat(poll).as("held while nothing changes").isNotDone();
        lab.s.desk().file(new RequestSpec("sut-x", "olivia", List.of(TestSpec.parse("smoke")), Priority.NORMAL, false,
                null, null, null, null));
        Thread.sleep(1500);
        assertThat(poll).as("another lab's host changing is no news to this lab").isNotDone();
        lab.s.desk().file(new RequestSpec("sut-b", "olivia", List.of(TestSpec.parse("smoke")), Priority.NORMAL, false,
                null, null, null, null));
        HttpResponse<String> woken = poll.get(10, TimeUnit.SECONDS);
        assertThat(woken.statusCode()).isEqualTo(200);
        String afterFiling = woken.headers().firstValue("ETag").orElseThrow();
        assertThat(afterFiling).isNotEqualTo(etag);

        CompletableFuture<HttpResponse<String>> joining = held(token, afterFiling);
        Thread.sleep(500);
        lab.s.keys().setLabHost("lab-east", "sut-c", true);
        HttpResponse<String> joined = joining.get(10, TimeUnit.SECONDS);
        assertThat(joined.statusCode()).isEqualTo(200);
        assertThat(joined.body()).as("the host that joined is in the answer").contains("\"sut-c\"");

        // the join's own doorbell change may reach this server's cache a feed turn (a second) after the join itself
        Thread.sleep(1500);
        String now = get("lab-east", token, null).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> expired = http.send(poll("lab-east", token, now, "?wait=1").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(expired.statusCode()).as("the wait ran out with nothing changed").isEqualTo(304);
        assertThat(expired.body()).isEmpty();
    }

    @Test
    void aWaitOutOfRangeAndMoreHeldPollsThanALabMayHoldAreRefusedWithTheRule() throws Exception {
        String token = lab.s.labTokens().issue("lab-east");
        String etag = get("lab-east", token, null).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> tooLong = http.send(poll("lab-east", token, etag, "?wait=3600").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("0 to 55");
        List<CompletableFuture<HttpResponse<String>>> polls = List.of(held(token, etag), held(token, etag));
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.s.doorbell().held() == 2);
        HttpResponse<String> third = held(token, etag).get(5, TimeUnit.SECONDS);
        assertThat(third.statusCode()).as("a lab holds at most 2 polls").isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).hasValue("55");
        assertThat(third.body()).contains("lab-east");
        HttpResponse<String> post = http.send(poll("lab-east", token, null, "").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        polls.forEach(p -> p.cancel(true));
    }
}
