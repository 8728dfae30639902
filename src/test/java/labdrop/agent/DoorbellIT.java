package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The doorbell: the per-host generation over HTTP (ETag, 304, the host's own token) and the agent polling it. */
class DoorbellIT {
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    TestLab lab;
    String base;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        base = "http://127.0.0.1:" + lab.app.httpPort();
        lab.s.hosts().add(new HostDraft("sut-01", "default", "", "olivia", false, true, null), "admin");
        lab.s.hosts().add(new HostDraft("sut-02", "default", "", "olivia", false, true, null), "admin");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    HttpResponse<String> bell(String host, String token, String etag) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts/" + host + "/generation"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    Request file() {
        Request r = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                Priority.NORMAL, false, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(lab.config.dropDir()
                .resolve("sut-01/current/" + r.id() + ".xml")));
        return r;
    }

    @Test
    void theGenerationAnswers304UntilAPlacementOrConfigChangeAndOnlyToTheHostsToken() throws Exception {
        String token = lab.s.doorbell().issueToken("sut-01");
        String other = lab.s.doorbell().issueToken("sut-02");
        assertThat(bell("sut-01", null, null).statusCode()).isEqualTo(401);
        assertThat(bell("sut-01", other, null).statusCode()).as("another host's token").isEqualTo(401);
        assertThat(bell("sut-01", "ldt_forged", null).statusCode()).isEqualTo(401);
        assertThat(bell("sut-01", null, null).body()).contains("labdrop host token sut-01");

        HttpResponse<String> first = bell("sut-01", token, null);
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(bell("sut-01", token, etag).statusCode()).isEqualTo(304);

        file();
        await().atMost(Duration.ofSeconds(5)).until(() -> bell("sut-01", token, etag).statusCode() == 200);
        String afterPlacement = bell("sut-01", token, null).headers().firstValue("ETag").orElseThrow();
        lab.s.hosts().writeConfig("sut-01", "directions", "max_load = 40\n", "admin");
        await().atMost(Duration.ofSeconds(5)).until(() -> bell("sut-01", token, afterPlacement).statusCode() == 200);

        String renewed = lab.s.doorbell().issueToken("sut-01");
        assertThat(bell("sut-01", token, null).statusCode()).as("the replaced token").isEqualTo(401);
        assertThat(bell("sut-01", renewed, null).statusCode()).isEqualTo(200);
    }

    @Test
    void theAgentOpensTheDropOnlyWhenTheDoorbellRingsOrTheSafetyNetIsDue() throws Exception {
        Path tokenFile = dir.resolve("doorbell.token");
        Files.writeString(tokenFile, lab.s.doorbell().issueToken("sut-01") + "\n");
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "sut-01");
        env.put("LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-01").toUri().toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
        env.put("LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_DOORBELL_URL", base + "/api/v1/hosts/sut-01/generation");
        env.put("LABDROP_DOORBELL_TOKEN_FILE", tokenFile.toString());
        env.put("LABDROP_DOORBELL_SAFETY_EVERY", "4");
        Agent agent = new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(5));

        assertThat(agent.poll()).as("the first poll reports the state").isEqualTo(Agent.Outcome.IDLE);
        assertThat(agent.poll()).as("the first doorbell read").isEqualTo(Agent.Outcome.IDLE);
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.QUIET);
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.QUIET);
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.QUIET);
        assertThat(agent.poll()).as("every fourth poll opens the drop anyway").isEqualTo(Agent.Outcome.IDLE);

        Request request = file();
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.poll() == Agent.Outcome.RAN);
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(request.id()).state() == RequestState.PASSED);

        Files.writeString(tokenFile, "ldt_revoked\n");
        assertThat(agent.poll()).as("a refused doorbell falls back to the drop").isEqualTo(Agent.Outcome.IDLE);
    }
}
