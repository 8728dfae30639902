package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as its own process ({@code labdrop agent}), killed with SIGKILL in each phase of a run:
 * the next poll ends the request Passed or Aborted, nothing runs twice, no half-installed package
 * is left. Also: two agents at once.
 */
class AgentProcessIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    TestLab lab;
    Path repo;
    String repoUrl;
    Path work;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        repo = lab.config.http().repositories().get("builtin");
        SmokePackage.publish(repo, "smoke", 0);
        repoUrl = "http://127.0.0.1:" + lab.app.httpPort() + "/packages/builtin/";
        lab.s.hosts().add(new HostDraft("sut-01", "default", "", "olivia", false, true, null), "admin");
        work = dir.resolve("agent");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Map<String, String> env(String fetch) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "sut-01");
        env.put("LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-01").toUri().toString());
        env.put("LABDROP_WORK_DIR", work.toString());
        env.put("LABDROP_FETCH_LOCATIONS", fetch);
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_LOG_PUSH_INTERVAL", "200ms");
        env.put("LABDROP_SCHEDULE_CRON", "0/1 * * * * ?");
        env.put("LABDROP_SCHEDULE_JITTER", "0s");
        return env;
    }

    Process agent(Map<String, String> env, String... args) throws IOException {
        return agent(List.of(), List.of(), env, args);
    }

    /** The agent started through {@code launcher} (a command that ends by exec-ing its arguments), with JVM options. */
    Process agent(List<String> launcher, List<String> jvmOptions, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "labdrop.cli.Main", "agent"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        builder.environment().putAll(env);
        return builder.start();
    }

    int once(Map<String, String> env) throws Exception {
        Process p = agent(env, "--once");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    JsonNode journal() {
        try {
            return JSON.readTree(work.resolve("journal.json").toFile());
        } catch (IOException notYet) {
            return JSON.createObjectNode();
        }
    }

    Request file(TestSpec... tests) {
        Request r = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(tests), Priority.NORMAL, false, null,
                null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(lab.config.dropDir()
                .resolve("sut-01/current/" + r.id() + ".xml")));
        return r;
    }

    Request awaitEnd(Request request) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !lab.s.desk().find(request.id()).state().isActive());
        return lab.s.desk().find(request.id());
    }

    List<String> leftovers(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".labdrop-install-") || n.startsWith(".labdrop-old-") || n.endsWith(".part"))
                    .toList();
        }
    }

    @Test
    void aSecondAgentExitsAtOnceAndAKilledOneDoesNotBlockTheNext() throws Exception {
        Process daemon = agent(env(repoUrl));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(dir.resolve("agent.log"))
                .contains("labdrop agent for host 'sut-01'"));
        Process second = agent(env(repoUrl), "--once");
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(4);
        assertThat(Files.readString(dir.resolve("agent.log"))).contains("another labdrop agent (pid " + daemon.pid() + ")");

        daemon.destroyForcibly().waitFor();
        assertThat(once(env(repoUrl))).isZero();
    }

    @Test
    void killedWhileATestRunsTheNextAgentAdoptsTheTestAndItRunsOnce() throws Exception {
        Path count = dir.resolve("count");
        Request request = file(TestSpec.parse("smoke:sleep 3 count " + count), TestSpec.parse("smoke"));
        Process agent = agent(env(repoUrl), "--once");
        await().atMost(Duration.ofSeconds(60)).until(() -> journal().has("testPid"));
        agent.destroyForcibly().waitFor();

        assertThat(once(env(repoUrl))).isZero();
        assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
        assertThat(Files.readAllLines(count)).hasSize(1);
        assertThat(once(env(repoUrl))).isZero();
        assertThat(Files.readAllLines(count)).as("a finished request never runs again").hasSize(1);
    }

    @Test
    void killedWithItsTestTheTestIsAbortedAndTheRunGoesOn() throws Exception {
        Path count = dir.resolve("count");
        Request request = file(TestSpec.parse("smoke:sleep 30"), TestSpec.parse("smoke:count " + count));
        Process agent = agent(env(repoUrl), "--once");
        await().atMost(Duration.ofSeconds(60)).until(() -> journal().has("testPid"));
        long testPid = journal().get("testPid").asLong();
        agent.destroyForcibly().waitFor();
        // The test dies with its wrapper, the wrapper first, so no exit code is written (killing the child first
        // lets the wrapper record 137, which is an ordinary failure and not what this case is about).
        ProcessHandle.of(testPid).ifPresent(p -> {
            List<ProcessHandle> children = p.descendants().toList();
            p.destroyForcibly();
            p.onExit().join();
            children.forEach(ProcessHandle::destroyForcibly);
        });

        assertThat(once(env(repoUrl))).isZero();
        Request done = awaitEnd(request);
        assertThat(done.state()).isEqualTo(RequestState.ABORTED);
        assertThat(lab.s.desk().results(done)).extracting(r -> r.outcome()).containsExactly("aborted", "pass");
        assertThat(Files.readAllLines(count)).hasSize(1);
    }

    /**
     * The agent in a memory-limited cgroup (a small SUT) runs a test that takes memory until the kernel's OOM
     * killer ends it: the agent lives on, records that test as killed by SIGKILL, and runs the next one. The
     * tests start at test.oom-score-adj, not at the agent's value.
     */
    @Test
    void aTestThatExhaustsMemoryIsKilledAndTheAgentGoesOn() throws Exception {
        Path cgroup = memoryCgroup(384L << 20);
        try {
            Path adj = dir.resolve("oom_score_adj");
            Path count = dir.resolve("count");
            Request request = file(TestSpec.parse("smoke:oomadj " + adj), TestSpec.parse("smoke:hog"),
                    TestSpec.parse("smoke:count " + count));
            Map<String, String> env = env(repoUrl);
            env.put("LABDROP_TEST_OOM_SCORE_ADJ", "300");
            Process agent = agent(List.of("/bin/sh", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$@\"",
                    "in-cgroup"), List.of("-Xmx96m", "-XX:+UseSerialGC"), env, "--once");
            assertThat(agent.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(agent.exitValue()).as("the agent survived; its log:%n%s", Files.readString(dir.resolve("agent.log")))
                    .isZero();

            Request done = awaitEnd(request);
            assertThat(done.state()).isEqualTo(RequestState.FAILED);
            assertThat(lab.s.desk().results(done)).extracting(r -> r.outcome()).containsExactly("pass", "fail", "pass");
            assertThat(lab.s.desk().results(done).get(1).exitCode()).isEqualTo(137);
            assertThat(lab.s.desk().results(done).get(1).logs()).contains("logs/2-smoke.agent");
            assertThat(Files.readString(lab.config.dropDir().resolve("sut-01/results/" + done.id() + "/logs/2-smoke.agent")))
                    .contains("killed by SIGKILL").contains("OOM killer");
            assertThat(Files.readString(adj).strip()).as("the test's oom_score_adj").isEqualTo("300");
            assertThat(Files.readAllLines(count)).as("the test after the killed one ran").hasSize(1);
        } finally {
            removeCgroup(cgroup);
        }
    }

    /** A fresh memory cgroup (v1 or v2) of the given limit, without swap; the test is skipped where none can be made. */
    static Path memoryCgroup(long limit) throws IOException {
        String name = "labdrop-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path v1 = Path.of("/sys/fs/cgroup/memory");
        Path v2 = Path.of("/sys/fs/cgroup/cgroup.controllers");
        boolean isV1 = Files.isWritable(v1);
        boolean isV2 = !isV1 && Files.isReadable(v2) && Files.readString(v2).contains("memory");
        Assumptions.assumeTrue(isV1 || isV2,
                "needs a writable memory cgroup (root, cgroup v1 or v2): /sys/fs/cgroup/memory or memory in cgroup.controllers");
        Path group = Files.createDirectory((isV1 ? v1 : v2.getParent()).resolve(name));
        if (isV1) {
            Files.writeString(group.resolve("memory.limit_in_bytes"), Long.toString(limit));
            if (Files.exists(group.resolve("memory.memsw.limit_in_bytes"))) {
                Files.writeString(group.resolve("memory.memsw.limit_in_bytes"), Long.toString(limit));
            }
        } else {
            Files.writeString(group.resolve("memory.max"), Long.toString(limit));
            Files.writeString(group.resolve("memory.swap.max"), "0");
        }
        return group;
    }

    static void removeCgroup(Path group) throws IOException, InterruptedException {
        for (String pid : Files.readAllLines(group.resolve("cgroup.procs"))) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(group.resolve("cgroup.procs")).isEmpty());
        Files.delete(group);
    }

    @Test
    void killedDuringTheDownloadTheNextPollFetchesAgainAndVerifies() throws Exception {
        Path src = Files.createTempDirectory(dir, "big");
        Files.writeString(src.resolve("run"), SmokePackage.RUN).toFile().setExecutable(true);
        byte[] noise = new byte[2 << 20];
        new Random(7).nextBytes(noise);
        Files.write(src.resolve("noise.bin"), noise);
        new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 1).build(src,
                new PackageFile(PackageType.TEST, "big", PackageFormat.BZ2), repo);
        new Repository(repo).index();
        HttpServer slow = throttled(repo, 256 * 1024);
        try {
            Request request = file(TestSpec.parse("big"));
            Process agent = agent(env("http://127.0.0.1:" + slow.getAddress().getPort() + "/"), "--once");
            Path part = work.resolve("cache/test-big.tar.bz2.part");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(part) && Files.size(part) > 0);
            agent.destroyForcibly().waitFor();
            assertThat(Files.size(part)).isLessThan(Files.size(repo.resolve("test-big.tar.bz2")));

            assertThat(once(env(repoUrl))).isZero();
            assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
            assertThat(leftovers(work)).isEmpty();
            assertThat(work.resolve("install/tests/big/noise.bin")).hasBinaryContent(noise);
        } finally {
            slow.stop(0);
        }
    }

    @Test
    void killedDuringTheInstallNoHalfInstalledPackageIsLeft() throws Exception {
        SmokePackage.publish(repo, "wide", 30_000);
        Request request = file(TestSpec.parse("wide"));
        Process agent = agent(env(repoUrl), "--once");
        Path tests = work.resolve("install/tests");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(5)).until(() -> !leftovers(tests).isEmpty()
                || !agent.isAlive());
        agent.destroyForcibly().waitFor();
        assertThat(leftovers(tests)).as("the kill landed while the package was being unpacked").isNotEmpty();
        assertThat(tests.resolve("wide")).doesNotExist();

        assertThat(once(env(repoUrl))).isZero();
        Request done = awaitEnd(request);
        assertThat(done.state()).as(done.reason()).isEqualTo(RequestState.PASSED);
        assertThat(leftovers(work)).isEmpty();
        try (Stream<Path> files = Files.list(tests.resolve("wide"))) {
            assertThat(files.count()).isEqualTo(30_000 + 2);
        }
    }

    @Test
    void killedWhilePushingResultsTheNextPollFinishesTheRequestOnce() throws Exception {
        Path count = dir.resolve("count");
        // A big stdout makes the result push long enough to be killed in.
        Request request = file(TestSpec.parse("smoke:count " + count + " spew 200000000"));
        Process agent = agent(env(repoUrl), "--once");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2))
                .until(() -> "finish".equals(journal().path("phase").asText()) || !agent.isAlive());
        agent.destroyForcibly().waitFor();
        assertThat(lab.config.dropDir().resolve("sut-01/results/" + request.id() + "/result.xml"))
                .as("the kill landed before the results were all pushed").doesNotExist();

        assertThat(once(env(repoUrl))).isZero();
        assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
        assertThat(Files.readAllLines(count)).hasSize(1);
        assertThat(journal().path("request").isMissingNode() || journal().path("request").isNull()).isTrue();
        String banner = "smoke count " + count + " spew 200000000 rebootcount=0 request=" + request.id() + "\n";
        assertThat(Files.size(lab.config.dropDir().resolve("sut-01/results/" + request.id() + "/logs/1-smoke.stdout")))
                .as("the whole log reached the drop").isEqualTo(200_000_000L + banner.length());
    }

    /** Serves a folder over HTTP at {@code bytesPerSecond}, so a download lasts long enough to be killed in. */
    static HttpServer throttled(Path root, int bytesPerSecond) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
                byte[] chunk = new byte[bytesPerSecond / 10];
                int n;
                while ((n = in.read(chunk)) > 0) {
                    out.write(chunk, 0, n);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (InterruptedException | IOException e) {
                // the client went away
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void aSelfRebootEndsTheAgentProcessAndANewProcessResumesTheRunFromItsJournal() throws Exception {
        Path bootId = dir.resolve("boot_id");
        Path count = dir.resolve("count");
        Map<String, String> env = env(repoUrl);
        // Where a real SUT goes down: the new boot id is written and the agent's JVM dies with the machine.
        env.put("LABDROP_REBOOT_COMMAND", "echo boot-2 > " + bootId + "; kill -KILL $PPID");
        Request request = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke:count " + count)),
                Priority.NORMAL, true, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(lab.config.dropDir()
                .resolve("sut-01/current/" + request.id() + ".xml")));

        Process before = agent(env, "--once");
        assertThat(before.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(before.exitValue()).as("the agent process went down with the reboot (SIGKILL)").isEqualTo(128 + 9);
        assertThat(journal().path("request").asText()).isEqualTo(request.id());
        assertThat(journal().path("rebootFromBootId").asText()).isEqualTo("boot-1");
        assertThat(count).as("no test ran before the reboot").doesNotExist();

        assertThat(once(env)).as("a new agent process after the reboot").isZero();
        assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
        assertThat(Files.readAllLines(count)).as("the test ran once, after the reboot").hasSize(1);
        assertThat(Files.readString(lab.config.dropDir().resolve("sut-01/results/" + request.id() + "/logs/1-smoke.stdout")))
                .contains("rebootcount=1");
    }

    @Test
    void twoAgentsStartedAtTheSameMomentOnOneWorkFolderRunARequestExactlyOnce() throws Exception {
        int overlapped = 0;
        for (int round = 0; round < 8; round++) {
            Path count = dir.resolve("count-" + round);
            Request request = file(TestSpec.parse("smoke:count " + count));
            Path go = dir.resolve("go-" + round);
            // Both wait at the same barrier (a file appearing), then exec the agent within the same 10 ms.
            List<String> barrier = List.of("/bin/sh", "-c", "while [ ! -e " + go + " ]; do sleep 0.01; done; exec \"$@\"", "sh");
            Process a = agent(barrier, List.of(), env(repoUrl), "--once");
            Process b = agent(barrier, List.of(), env(repoUrl), "--once");
            Thread.sleep(200);
            Files.writeString(go, "");
            assertThat(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS)).isTrue();
            List<Integer> codes = List.of(a.exitValue(), b.exitValue());
            assertThat(codes).as("round " + round + ": exit codes (0 ran or found nothing, 4 another agent holds the folder)")
                    .allMatch(c -> c == 0 || c == 4).contains(0);
            if (codes.contains(4)) {
                overlapped++;
            }
            assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
            assertThat(Files.readAllLines(count)).as("round " + round + ": runs of the test").hasSize(1);
        }
        System.out.println("AgentProcessIT: two agents overlapped in " + overlapped + " of 8 rounds");
        assertThat(overlapped).as("rounds where the second agent found the folder held").isPositive();
    }
}
