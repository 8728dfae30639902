package labdrop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.app.TestLab;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code request file --wait} and {@code request wait} as a CI step uses them, on the store and
 * with {@code --server}: every documented exit code (passed, failed, error, cancelled, timed out)
 * comes out of a real run, and {@code --json} prints what the API gives.
 */
class CliWaitIT {
    @TempDir
    Path dir;
    TestLab lab;
    Path localConf;
    Path token;
    String url;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        lab.addActive("sut-w1");
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-1".toCharArray());
        token = Files.writeString(dir.resolve("tess.token"), lab.s.accounts().newToken("tess", "ci") + "\n");
        url = "http://127.0.0.1:" + lab.app.httpPort();
        // With --server the CLI's own server.conf must never be opened: it names another state folder.
        localConf = Files.writeString(dir.resolve("server.conf"), "state.dir = " + dir.resolve("local-state") + "\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    /** The CLI through the API in this JVM, or on the store in its own JVM beside the running server. */
    InProcessCli.Run labdrop(boolean remote, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (remote) {
            all.add("--conf=" + localConf);
            all.add("--server=" + url);
            all.add("--token-file=" + token);
            return InProcessCli.run(all);
        }
        all.add("--as=tess");
        try {
            ChildCli.Result r = ChildCli.run(dir.resolve("server"), all.toArray(String[]::new));
            return new InProcessCli.Run(r.code(), r.out(), r.err());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Files with --wait in the background, ends the run as {@code finish} says, returns what the CLI did. */
    InProcessCli.Run fileAndWait(boolean remote, Consumer<String> finish, String... extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("request", "file", "--host", "sut-w1", "--test", "dbench", "--wait"));
        args.addAll(List.of(extra));
        CompletableFuture<InProcessCli.Run> run = CompletableFuture.supplyAsync(() -> labdrop(remote, args.toArray(String[]::new)));
        String id = awaitNewest(run);
        finish.accept(id);
        return run.get();
    }

    String awaitNewest(CompletableFuture<InProcessCli.Run> run) throws Exception {
        for (int i = 0; i < 400; i++) {
            if (run.isDone()) {
                throw new AssertionError("the CLI ended before its request was found: " + run.get());
            }
            var list = lab.s.desk().list("sut-w1", null, 1);
            if (!list.isEmpty() && !list.get(0).state().isFinal()) {
                return list.get(0).id();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no request was filed in 20 s");
    }

    void complete(String id, String... outcomes) {
        try {
            lab.sut("sut-w1").complete(id, outcomes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "remote={0}")
    @ValueSource(booleans = {false, true})
    void everyOutcomeHasItsExitCode(boolean remote) throws Exception {
        InProcessCli.Run passed = fileAndWait(remote, id -> complete(id, "pass"));
        assertThat(passed.code()).isZero();
        assertThat(passed.out()).containsPattern("r-\\d+ Passed on sut-w1").contains("  1 t1 pass (exit 0) · 1 case: 1 pass");

        InProcessCli.Run failed = fileAndWait(remote, id -> complete(id, "fail"));
        assertThat(failed.code()).isEqualTo(RequestWait.FAILED);
        assertThat(failed.out()).contains("Failed on sut-w1").contains("1 t1 fail (exit 0) · 1 case: 1 fail · failing: t1");

        InProcessCli.Run error = fileAndWait(remote, id -> complete(id, "error"));
        assertThat(error.code()).isEqualTo(RequestWait.ERROR);

        InProcessCli.Run cancelled = fileAndWait(remote, id -> lab.s.desk().cancel(id, "admin"));
        assertThat(cancelled.code()).isEqualTo(RequestWait.CANCELLED);
        assertThat(cancelled.out()).contains("Cancelled");

        InProcessCli.Run timedOut = fileAndWait(remote, id -> { }, "--wait-timeout", "1s");
        assertThat(timedOut.code()).isEqualTo(RequestWait.TIMEOUT);
        assertThat(timedOut.err()).as("each state change goes to stderr").containsPattern("r-\\d+: Placed on sut-w1");
        Matcher open = Pattern.compile("timed out after 1s waiting for (r-\\d+) \\(Placed\\)").matcher(timedOut.out());
        assertThat(open.find()).as(timedOut.out()).isTrue();

        // request wait on what is already finished, and on several: the worst code wins.
        String late = open.group(1);
        complete(late, "fail");
        InProcessCli.Run both = labdrop(remote, "request", "wait", late, passedId(passed));
        assertThat(both.code()).isEqualTo(RequestWait.FAILED);
        assertThat(labdrop(remote, "request", "wait", "x-1").code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(labdrop(remote, "request", "file", "--host", "sut-w1", "--test", "dbench", "--wait-timeout", "1s").err())
                .contains("--wait-timeout is how long --wait waits");

        JsonNode shown = new ObjectMapper().readTree(labdrop(remote, "request", "show", late, "--json").out());
        assertThat(shown.get("id").asText()).isEqualTo(late);
        assertThat(shown.get("results").get(0).get("cases").get("fail").asInt()).isEqualTo(1);
        assertThat(new ObjectMapper().readTree(labdrop(remote, "request", "list", "--json").out()).size()).isEqualTo(5);
        assertThat(new ObjectMapper().readTree(labdrop(remote, "host", "show", "sut-w1", "--json").out())
                .get("name").asText()).isEqualTo("sut-w1");
        assertThat(new ObjectMapper().readTree(labdrop(remote, "host", "list", "--json").out()).size()).isEqualTo(1);
    }

    private static String passedId(InProcessCli.Run passed) {
        Matcher m = Pattern.compile("(r-\\d+) Passed").matcher(passed.out());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
