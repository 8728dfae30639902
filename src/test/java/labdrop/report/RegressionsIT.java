package labdrop.report;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.result.Verdict;
import labdrop.store.HistoryRows;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regressions through the real ingest: runs of one test on two hosts of one type, its cases
 * going pass, fail, fail, pass, fail, pass, are new failure, still failing, fixed and flaky in
 * turn, on the request's detail, the lab's regressions and the API; other arguments, another host
 * type and a host of the default type are histories of their own.
 */
class RegressionsIT {
    @TempDir
    Path dir;
    TestLab lab;
    String token;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        lab.addTyped("board-1", "board", "", null, false);
        lab.addTyped("board-2", "board", "", null, false);
        lab.addTyped("other-1", "other", "", null, false);
        token = lab.s.accounts().newToken("admin", "regressions");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    /** Files {@code test args} on {@code host} and finishes it with {@code cases}. */
    Request run(String host, String test, Map<String, String> cases) throws Exception {
        Request r = lab.s.desk().file(new RequestSpec(host, "admin", List.of(TestSpec.parse(test)), Priority.NORMAL,
                false, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(r.id()).state() == RequestState.PLACED);
        lab.sut(host).completeWithCases(r.id(), TestSpec.parse(test).packageName(), cases);
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(r.id()).state().isFinal());
        return lab.s.desk().find(r.id());
    }

    static Map<String, String> cases(String flaky) {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("stable", "pass");
        cases.put("flappy", flaky);
        return cases;
    }

    JsonNode api(String path) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.app.httpPort()
                + "/api/v1" + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void aSequenceOfRunsOnOneHostTypeGivesNewFailureStillFailingFixedAndFlaky() throws Exception {
        List<String> outcomes = List.of("pass", "fail", "fail", "pass", "fail", "pass");
        List<Request> runs = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            runs.add(run(i % 2 == 0 ? "board-1" : "board-2", "dbench:-f syscalls", cases(outcomes.get(i))));
        }
        List<String> verdicts = new ArrayList<>();
        for (Request r : runs) {
            Reports.Comparison c = lab.s.reports().comparison(r);
            verdicts.add(c.findings().isEmpty() ? "-" : c.findings().get(0).finding().verdict().label());
        }
        assertThat(verdicts).containsExactly("-", "new-failure", "still-failing", "fixed", "flaky", "flaky");
        assertThat(lab.s.reports().comparison(runs.get(0)).previous()).as("the first run has nothing before it").isEmpty();
        assertThat(lab.s.reports().comparison(runs.get(3)).previous()).containsEntry(1, runs.get(2).id());

        JsonNode detail = api("/requests/" + runs.get(1).id());
        assertThat(detail.get("comparison").get("previous").get("1").asText()).isEqualTo(runs.get(0).id());
        assertThat(detail.get("comparison").get("counts").get("new-failure").asInt()).isEqualTo(1);
        JsonNode finding = detail.get("comparison").get("findings").get(0);
        assertThat(finding.get("name").asText()).isEqualTo("flappy");
        assertThat(finding.get("scope").asText()).isEqualTo("type:board");
        assertThat(finding.get("previous").asText()).isEqualTo("pass");
        assertThat(finding.get("outcome").asText()).isEqualTo("fail");

        JsonNode lab7 = api("/regressions?days=7");
        List<String> changes = new ArrayList<>();
        lab7.get("changes").forEach(c -> changes.add(c.get("request").asText() + ":" + c.get("verdict").asText()));
        assertThat(changes).containsExactly(runs.get(3).id() + ":fixed", runs.get(1).id() + ":new-failure");
        assertThat(api("/regressions?verdict=flaky").get("changes")).hasSize(2);

        // Other arguments, another type, and a host of the default type each start their own history.
        Request otherArgs = run("board-1", "dbench:-f fs", cases("fail"));
        Request otherType = run("other-1", "dbench:-f syscalls", cases("fail"));
        assertThat(lab.s.reports().comparison(otherArgs).previous()).isEmpty();
        assertThat(lab.s.reports().comparison(otherType).previous()).isEmpty();
        lab.addActive("plain-1");
        lab.addActive("plain-2");
        run("plain-1", "dbench", cases("pass"));
        assertThat(lab.s.reports().comparison(run("plain-2", "dbench", cases("fail"))).previous())
                .as("default-type hosts are not compared with each other").isEmpty();
        assertThat(lab.s.reports().comparison(run("plain-1", "dbench", cases("fail"))).findings())
                .extracting(s -> s.finding().verdict()).containsExactly(Verdict.NEW_FAILURE);

        List<HistoryRows.Stored> recent = lab.s.reports().changes(Instant.now().minus(Duration.ofDays(1)),
                List.of(Verdict.NEW_FAILURE));
        assertThat(recent).extracting(HistoryRows.Stored::scope).containsExactly("host:plain-1", "type:board");
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.app.httpPort() + "/api/v1" + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKnownIssueHidesItsFailureFromTheRegressionsAndIsFlaggedWhenTheCasePassesAgain() throws Exception {
        run("board-1", "dbench", cases("pass"));
        HttpResponse<String> marked = send("POST", "/known-issues",
                "{\"test\":\"dbench\",\"suite\":\"s\",\"case\":\"flappy\",\"hostType\":\"board\","
                        + "\"note\":\"https://bugs.example/42\"}");
        assertThat(marked.statusCode()).isEqualTo(201);
        long id = json.readTree(marked.body()).get("id").asLong();

        Request failing = run("board-2", "dbench", cases("fail"));
        Reports.Comparison c = lab.s.reports().comparison(failing);
        assertThat(c.findings()).extracting(f -> f.finding().verdict()).containsExactly(Verdict.KNOWN);
        assertThat(c.findings().get(0).finding().knownIssue()).isEqualTo(id);
        assertThat(api("/regressions?days=1").get("changes")).as("a known failure is no regression").isEmpty();
        assertThat(api("/regressions?verdict=known").get("changes")).hasSize(1);

        Request other = run("other-1", "dbench", cases("pass"));
        run("other-1", "dbench", cases("fail"));
        assertThat(api("/regressions?days=1").get("changes").get(0).get("scope").asText())
                .as("the mark is for type board only").isEqualTo("type:other");
        assertThat(api("/known-issues").get(0).get("possiblyStale").asBoolean()).isFalse();

        Request passing = run("board-1", "dbench", cases("pass"));
        JsonNode mark = api("/known-issues").get(0);
        assertThat(mark.get("possiblyStale").asBoolean()).isTrue();
        assertThat(mark.get("passedIn").asText()).isEqualTo(passing.id());
        assertThat(lab.s.reports().comparison(passing).findings()).extracting(f -> f.finding().verdict())
                .containsExactly(Verdict.FIXED);

        run("board-2", "dbench", cases("fail"));
        assertThat(api("/known-issues").get(0).get("possiblyStale").asBoolean()).as("failing again: fresh").isFalse();

        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-1".toCharArray());
        String tess = lab.s.accounts().newToken("tess", "t");
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.app.httpPort()
                + "/api/v1/known-issues/" + id)).header("Authorization", "Bearer " + tess).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("only they or an admin may remove it");
        assertThat(send("POST", "/known-issues", "{\"test\":\"dbench\",\"case\":\"x\",\"note\":\"" + "n".repeat(1001)
                + "\"}").body()).contains("needs a note or a link of 1 to 1000 characters");
        assertThat(send("DELETE", "/known-issues/" + id, null).statusCode()).isEqualTo(200);
        assertThat(api("/known-issues")).isEmpty();
        assertThat(other.state()).isEqualTo(RequestState.PASSED);
    }
}
