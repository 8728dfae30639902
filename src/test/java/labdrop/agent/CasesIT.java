package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import labdrop.report.Reports;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.result.CaseOutcome;
import labdrop.store.ResultRows;
import org.apache.maven.plugin.surefire.log.api.NullConsoleLogger;
import org.apache.maven.plugins.surefire.report.ReportTestCase;
import org.apache.maven.plugins.surefire.report.ReportTestSuite;
import org.apache.maven.plugins.surefire.report.TestSuiteXmlParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-case results end to end: a real agent runs tests that write JUnit XML and print TAP; the
 * cases reach the store, the request page, the API and the JUnit export, which Maven's own report
 * parser (surefire-report-parser, a real JUnit consumer) reads with the same counts. Hostile result
 * files are refused or capped with a message on the request, and the lab goes on.
 */
class CasesIT {
    /** 1,000 cases: 990 pass, 4 fail, 3 error, 3 skip, in two suites; exits 0 all the same. */
    static final String JUNIT = """
            #!/bin/sh
            out="$LABDROP_RESULTS_DIR/report.xml"
            {
              echo '<?xml version="1.0" encoding="UTF-8"?>'
              echo '<testsuites name="suite">'
              echo '<testsuite name="net" tests="10">'
              echo '<testcase classname="net.Ping" name="v6" time="1.5"><failure message="no route to host">ping: connect: Network is unreachable</failure></testcase>'
              echo '<testcase classname="net.Dns" name="lookup" time="2"><error message="timed out">after 2 s</error></testcase>'
              echo '<testcase classname="net.Ipsec" name="esp"><skipped message="no module"/></testcase>'
              i=1; while [ $i -le 7 ]; do
                case $i in 1|2|3) echo "<testcase classname=\\"net.Extra\\" name=\\"f$i\\"><failure message=\\"f$i broke\\"/></testcase>" ;;
                  4|5) echo "<testcase classname=\\"net.Extra\\" name=\\"e$i\\"><error message=\\"e$i\\"/></testcase>" ;;
                  *) echo "<testcase classname=\\"net.Extra\\" name=\\"s$i\\"><skipped/></testcase>" ;; esac
                i=$((i+1)); done
              echo '</testsuite><testsuite name="disk">'
              seq 1 990 | sed 's/.*/<testcase classname="disk.Io" name="case&" time="0.001"\\/>/'
              echo '</testsuite></testsuites>'
            } > "$out"
            echo "wrote $out"
            exit 0
            """;
    /** TAP 14 on stdout with a subtest: one failure inside it, a skip, a todo. */
    static final String TAP = """
            #!/bin/sh
            echo "starting the tap test"
            cat <<'TAP'
            TAP version 14
            1..3
            # Subtest: usb
                1..2
                ok 1 - enumerate
                not ok 2 - hotplug
                  ---
                  message: 'no event within 5 s'
                  ...
            not ok 1 - usb
            ok 2 - gpio # SKIP no header
            not ok 3 - i2c # TODO flaky bus
            TAP
            exit 1
            """;
    /** Every hostile form at once: a billion-laughs DOCTYPE, a 50 MB file, a million tiny cases, malformed TAP. */
    static final String HOSTILE = """
            #!/bin/sh
            d="$LABDROP_RESULTS_DIR"
            cat > "$d/a-laughs.xml" <<'XML'
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <testsuites><testsuite name="x"><testcase name="&lol3;"/></testsuite></testsuites>
            XML
            head -c 52428800 /dev/zero | tr '\\0' ' ' > "$d/b-huge.xml"
            { echo '<testsuite name="many">'; yes '<testcase/>' | head -n 1000000; echo '</testsuite>'; } > "$d/c-million.xml"
            printf 'TAP version 13\\n1..2\\nok 1 - fine\\n' > "$d/d-broken.tap"
            printf '%0200d\\n' 0 | tr 0 ' ' | tr -d '\\n' >> "$d/d-broken.tap"; echo 'ok 2 - too deep' >> "$d/d-broken.tap"
            printf '<testsuite name="cut"><testcase name="kept"/><testcase name="lost"><failure>' > "$d/e-cut.xml"
            exit 0
            """;

    @TempDir
    Path dir;
    TestLab lab;
    String repoUrl;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    String token;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        Path repo = lab.config.http().repositories().get("builtin");
        ScriptPackage.publish(repo, "junit", JUNIT);
        ScriptPackage.publish(repo, "tap", TAP);
        ScriptPackage.publish(repo, "hostile", HOSTILE);
        repoUrl = "http://127.0.0.1:" + lab.app.httpPort() + "/packages/builtin/";
        lab.s.hosts().add(new HostDraft("sut-01", "default", "", null, false, true, null), "admin");
        token = lab.s.accounts().newToken("admin", "cases");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Request run(String... tests) throws Exception {
        Request request = lab.s.desk().file(new RequestSpec("sut-01", "admin", List.of(tests).stream()
                .map(TestSpec::parse).toList(), Priority.NORMAL, false, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(
                lab.config.dropDir().resolve("sut-01/current/" + request.id() + ".xml")));
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "sut-01");
        env.put("LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-01").toUri().toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
        env.put("LABDROP_FETCH_LOCATIONS", repoUrl);
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_TRANSPORT_BACKOFF", "10ms");
        assertThat(new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(1)).poll())
                .isEqualTo(Agent.Outcome.RAN);
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(request.id()).state().isFinal());
        return lab.s.desk().find(request.id());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.app.httpPort() + "/api/v1" + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void junitAndTapCasesReachTheStoreTheApiAndAJunitConsumer() throws Exception {
        Request done = run("junit", "tap");
        assertThat(done.state()).isEqualTo(RequestState.FAILED);
        List<ResultRows.TestResult> tests = lab.s.desk().results(done);
        assertThat(tests).extracting(ResultRows.TestResult::outcome).as("a test that exits 0 with failing cases failed")
                .containsExactly("fail", "fail");

        Reports.Summary summary = lab.s.reports().summary(done);
        assertThat(summary.problems()).isEmpty();
        assertThat(summary.test(1).counts()).containsEntry(CaseOutcome.PASS, 990).containsEntry(CaseOutcome.FAIL, 4)
                .containsEntry(CaseOutcome.ERROR, 3).containsEntry(CaseOutcome.SKIP, 3);
        assertThat(summary.test(1).total()).isEqualTo(1000);
        assertThat(summary.test(2).counts()).containsEntry(CaseOutcome.PASS, 1).containsEntry(CaseOutcome.FAIL, 1)
                .containsEntry(CaseOutcome.SKIP, 2);
        assertThat(summary.test(2).failing()).singleElement().satisfies(c -> {
            assertThat(c.fullName()).isEqualTo("tap / usb.hotplug");
            assertThat(c.message()).isEqualTo("no event within 5 s");
        });

        JsonNode detail = json.readTree(get("/requests/" + done.id()).body());
        JsonNode first = detail.get("results").get(0);
        assertThat(first.get("cases").get("pass").asInt()).isEqualTo(990);
        assertThat(first.get("failingCases")).hasSize(7);
        assertThat(first.get("failingCases").get(0).get("name").asText()).isEqualTo("v6");
        assertThat(first.get("failingCases").get(0).get("message").asText()).isEqualTo("no route to host");
        assertThat(json.readTree(get("/requests/" + done.id() + "/cases?outcome=fail,error&limit=5").body())
                .get("cases")).hasSize(5);
        assertThat(json.readTree(get("/requests/" + done.id() + "/cases?limit=5000").body()).get("cases")).hasSize(1004);
        assertThat(get("/requests/" + done.id() + "/cases?outcome=broken").statusCode()).isEqualTo(400);

        HttpResponse<String> junit = get("/requests/" + done.id() + "/junit.xml");
        assertThat(junit.headers().firstValue("Content-Type")).hasValue("application/xml; charset=utf-8");
        Path file = Files.writeString(dir.resolve("export.xml"), junit.body());
        List<ReportTestSuite> suites = new TestSuiteXmlParser(new NullConsoleLogger())
                .parse(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8));
        // Maven's parser files cases under their classname as well as their testsuite: count over all it read.
        assertThat(suites).extracting(ReportTestSuite::getName).contains("junit", "tap");
        assertThat(suites.stream().mapToInt(ReportTestSuite::getNumberOfTests).sum()).isEqualTo(1004);
        assertThat(suites.stream().mapToInt(ReportTestSuite::getNumberOfFailures).sum()).isEqualTo(5);
        assertThat(suites.stream().mapToInt(ReportTestSuite::getNumberOfErrors).sum()).isEqualTo(3);
        assertThat(suites.stream().mapToInt(ReportTestSuite::getNumberOfSkipped).sum()).isEqualTo(5);
        List<ReportTestCase> cases = suites.stream().flatMap(suite -> suite.getTestCases().stream()).toList();
        assertThat(cases).hasSize(1004);
        assertThat(cases.stream().filter(ReportTestCase::hasFailure).count()).isEqualTo(5);
        assertThat(cases.stream().filter(ReportTestCase::hasError).count()).isEqualTo(3);
        assertThat(cases.stream().filter(ReportTestCase::hasSkipped).count()).isEqualTo(5);
        ReportTestCase v6 = cases.stream().filter(c -> c.getName().equals("v6")).findFirst().orElseThrow();
        assertThat(v6.getFullClassName()).isEqualTo("net.Ping");
        assertThat(v6.getFailureMessage()).isEqualTo("no route to host");
        assertThat(cases.stream().filter(c -> c.getFullClassName().equals("tap / usb"))).extracting(ReportTestCase::getName)
                .containsExactly("enumerate", "hotplug");
        assertThat(junit.body()).contains("<system-out>").contains("starting the tap test");
    }

    @Test
    void hostileResultFilesAreRefusedOrCappedWithAMessageAndTheLabGoesOn() throws Exception {
        Request done = run("hostile", "junit");
        assertThat(done.state()).as("the hostile test exits 0; junit's failing cases fail the request")
                .isEqualTo(RequestState.FAILED);
        Reports.Summary summary = lab.s.reports().summary(done);
        List<String> problems = summary.problems().stream().map(p -> p.message()).toList();
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("a-laughs.xml", "DOCTYPE"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("b-huge.xml", "52428800 bytes", "over the cap"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("d-broken.tap", "nest deeper than 32"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("e-cut.xml", "not well-formed"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("990003 more cases were left out", "at most 10000"));
        assertThat(summary.test(1).total()).isEqualTo(10_000);
        assertThat(summary.test(1).dropped()).isEqualTo(990_003);
        assertThat(summary.test(2).total()).as("the next test's cases are whole").isEqualTo(1000);

        JsonNode detail = json.readTree(get("/requests/" + done.id()).body());
        assertThat(detail.get("caseProblems").toString()).contains("DOCTYPE");
        Request next = run("tap");
        assertThat(next.state()).as("the lab goes on").isEqualTo(RequestState.FAILED);
    }
}
