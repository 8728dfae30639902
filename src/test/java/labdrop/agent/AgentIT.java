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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.host.HostState;
import labdrop.pkg.CountingRepository;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent in this JVM against a real server over a file:// drop: runs, results, directions, reboots. */
class AgentIT {
    @TempDir
    Path dir;
    TestLab lab;
    String repoUrl;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        repoUrl = "http://127.0.0.1:" + lab.app.httpPort() + "/packages/builtin/";
        lab.s.hosts().add(new HostDraft("sut-01", "default", "", "olivia", false, true, null), "admin");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Map<String, String> env(String... overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "sut-01");
        env.put("LABDROP_OWNER", "olivia");
        env.put("LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-01").toUri().toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
        env.put("LABDROP_FETCH_LOCATIONS", repoUrl);
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_TRANSPORT_BACKOFF", "10ms");
        env.put("LABDROP_LOG_PUSH_INTERVAL", "200ms");
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    Agent agent(String... overrides) throws Exception {
        if (!Files.exists(dir.resolve("boot_id"))) {
            Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        }
        return new Agent(AgentConfig.load(null, env(overrides)), Clock.systemUTC(), new Random(1));
    }

    Request file(String requester, boolean selfReboot, String... tests) {
        return lab.s.desk().file(new RequestSpec("sut-01", requester, List.of(tests).stream().map(TestSpec::parse).toList(),
                Priority.NORMAL, selfReboot, null, null, null, null));
    }

    Request awaitEnd(Request request) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !lab.s.desk().find(request.id()).state().isActive());
        return lab.s.desk().find(request.id());
    }

    Path placed(Request request) {
        return lab.config.dropDir().resolve("sut-01/current/" + request.id() + ".xml");
    }

    void awaitPlaced(Request request) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(placed(request)));
    }

    String dropLog(Request request, String name) throws Exception {
        return Files.readString(lab.config.dropDir().resolve("sut-01/results/" + request.id() + "/logs/" + name));
    }

    long packageBytesServed() throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + lab.app.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^labdrop_package_served_bytes_total\\S* (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("package bytes metric in %s", metrics).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void passingAndFailingTestsReachTheServerWithResultsAndLogs() throws Exception {
        Request request = file("olivia", false, "smoke:pass", "smoke:fail");
        awaitPlaced(request);
        assertThat(agent().poll()).isEqualTo(Agent.Outcome.RAN);

        Request done = awaitEnd(request);
        assertThat(done.state()).isEqualTo(RequestState.FAILED);
        assertThat(lab.s.desk().results(done)).extracting(r -> r.name() + "=" + r.outcome() + ":" + r.exitCode())
                .containsExactly("smoke=pass:0", "smoke=fail:3");
        assertThat(dropLog(request, "1-smoke.stdout")).contains("smoke pass rebootcount=0 request=" + request.id());
        assertThat(dropLog(request, "2-smoke.stderr")).contains("smoke failed on purpose");
        assertThat(lab.config.dropDir().resolve("sut-01/results/" + request.id() + "/sysinfo/packages.txt")).isNotEmptyFile();
        assertThat(placed(request)).doesNotExist();
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.hosts().show("sut-01").state() == HostState.AVAILABLE);

        Request second = file("olivia", false, "smoke");
        awaitPlaced(second);
        assertThat(agent().poll()).isEqualTo(Agent.Outcome.RAN);
        assertThat(awaitEnd(second).state()).isEqualTo(RequestState.PASSED);
    }

    @Test
    void aHealthCheckTheAgentFailsPutsTheHostInMaintAndPoolWorkGoesToTheOtherHost() throws Exception {
        lab.healthCheckedType("board", "smoke:fail", "0", 3);
        lab.s.hosts().set("sut-01", "type", "board");
        lab.addTyped("sut-02", "board", "", null, false);
        lab.s.hosts().maint("sut-01");
        lab.s.hosts().activate("sut-01");
        Request check = lab.s.desk().list("sut-01", null, 1).get(0);
        assertThat(check.healthCheck()).isTrue();
        awaitPlaced(check);
        assertThat(agent().poll()).isEqualTo(Agent.Outcome.RAN);

        assertThat(awaitEnd(check).state()).isEqualTo(RequestState.FAILED);
        assertThat(dropLog(check, "1-smoke.stderr")).as("a health check's logs are a request's logs")
                .contains("smoke failed on purpose");
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.host("sut-01").state() == HostState.MAINT);
        assertThat(lab.host("sut-01").health().reason()).isEqualTo("health check " + check.id() + " ended Failed: test smoke fail");
        Request pool = lab.filePool("board", List.of(), "olivia", Priority.NORMAL);
        assertThat(pool.host()).isEqualTo("sut-02");

        lab.healthCheckedType("board", "smoke:pass", "0", 3);
        lab.s.hosts().activate("sut-01");
        Request again = lab.s.desk().list("sut-01", null, 1).get(0);
        assertThat(again.healthCheck()).isTrue();
        awaitPlaced(again);
        assertThat(agent().poll()).isEqualTo(Agent.Outcome.RAN);
        assertThat(awaitEnd(again).state()).isEqualTo(RequestState.PASSED);
        assertThat(lab.host("sut-01").health().label()).isEqualTo("healthy");
    }

    @Test
    void unchangedPackagesAreNotDownloadedAgain() throws Exception {
        Agent agent = agent();
        Request first = file("olivia", false, "smoke");
        awaitPlaced(first);
        long before = packageBytesServed();
        agent.poll();
        assertThat(awaitEnd(first).state()).isEqualTo(RequestState.PASSED);
        long afterFirst = packageBytesServed();
        assertThat(afterFirst - before).as("the first run downloads the package").isPositive();

        Request second = file("olivia", false, "smoke:pass");
        awaitPlaced(second);
        agent.poll();
        assertThat(awaitEnd(second).state()).isEqualTo(RequestState.PASSED);
        assertThat(packageBytesServed() - afterFirst).as("package bytes served for the second run").isZero();
    }

    @Test
    void anIdlePollWritesAvailableOnceAndNothingMore() throws Exception {
        Agent agent = agent();
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.IDLE);
        Path state = lab.config.dropDir().resolve("sut-01/state_file");
        String first = Files.readString(state);
        assertThat(first).contains("<status>Available</status>").contains("<bootId>boot-1</bootId>");
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.IDLE);
        assertThat(Files.readString(state)).isEqualTo(first);
    }

    @Test
    void anOwnerOnlyAgentRejectsAnotherRequesterEvenWhenTheServerPlacedIt() throws Exception {
        Request request = file("tom", false, "smoke:count " + dir.resolve("count"));
        awaitPlaced(request);
        assertThat(agent("LABDROP_ACCEPT_FROM", "owner").poll()).isEqualTo(Agent.Outcome.RAN);
        Request done = awaitEnd(request);
        assertThat(done.state()).isEqualTo(RequestState.REJECTED);
        assertThat(done.reason()).contains("accept_from = owner").contains("'tom'");
        assertThat(dir.resolve("count")).doesNotExist();
    }

    @Test
    void autoRetrieveFalseReportsWaitingWorkAndRunsNothing() throws Exception {
        lab.s.hosts().writeConfig("sut-01", "directions", "auto_retrieve = false\n", "admin");
        Request request = file("olivia", false, "smoke");
        awaitPlaced(request);
        assertThat(agent().poll()).isEqualTo(Agent.Outcome.WAITING);
        String state = Files.readString(lab.config.dropDir().resolve("sut-01/state_file"));
        assertThat(state).contains("<status>Pending</status>").contains("auto_retrieve = false");
        assertThat(lab.s.desk().find(request.id()).state()).isIn(RequestState.PLACED, RequestState.PICKED_UP);
        assertThat(placed(request)).exists();
    }

    @Test
    void anInvalidDirectionsFileIsReportedNotHalfApplied() throws Exception {
        Path directions = lab.config.dropDir().resolve("sut-01/config/directions");
        Files.createDirectories(directions.getParent());
        Files.writeString(directions, "accept_from = owner\nauto_retrieve = maybe\n");
        Request request = file("tom", false, "smoke");
        awaitPlaced(request);
        assertThat(agent().poll()).isEqualTo(Agent.Outcome.RAN);
        assertThat(awaitEnd(request).state()).as("accept_from = owner was not applied").isEqualTo(RequestState.PASSED);
        assertThat(Files.readString(lab.config.dropDir().resolve("sut-01/state_file")))
                .contains("config/directions is invalid and was not applied").contains("auto_retrieve");
    }

    @Test
    void selfRebootResumesAtTheStepWithTheRebootCount() throws Exception {
        Path bootId = dir.resolve("boot_id");
        String reboot = "echo boot-$(date +%s%N) > " + bootId;
        Request request = file("olivia", true, "smoke");
        awaitPlaced(request);
        assertThat(agent("LABDROP_REBOOT_COMMAND", reboot).poll()).isEqualTo(Agent.Outcome.REBOOTING);
        assertThat(Files.readString(lab.config.dropDir().resolve("sut-01/state_file"))).contains("<status>Rebooting</status>");
        assertThat(agent("LABDROP_REBOOT_COMMAND", reboot).poll()).isEqualTo(Agent.Outcome.RAN);
        assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
        assertThat(dropLog(request, "1-smoke.stdout")).contains("rebootcount=1");
    }

    @Test
    void aTestAskingForRebootsRunsAgainAndALoopIsStoppedByTheCap() throws Exception {
        Path bootId = dir.resolve("boot_id");
        String reboot = "echo boot-$(date +%s%N) > " + bootId;
        Request twice = file("olivia", false, "smoke:reboot 2");
        awaitPlaced(twice);
        Agent.Outcome outcome;
        int polls = 0;
        while ((outcome = agent("LABDROP_REBOOT_COMMAND", reboot).poll()) == Agent.Outcome.REBOOTING) {
            polls++;
        }
        assertThat(outcome).isEqualTo(Agent.Outcome.RAN);
        assertThat(polls).isEqualTo(2);
        assertThat(awaitEnd(twice).state()).isEqualTo(RequestState.PASSED);
        assertThat(dropLog(twice, "1-smoke.stdout")).contains("rebootcount=0").contains("rebootcount=1")
                .contains("rebootcount=2");

        Request loop = file("olivia", false, "smoke:reboot 99");
        awaitPlaced(loop);
        polls = 0;
        while (agent("LABDROP_REBOOT_COMMAND", reboot, "LABDROP_REBOOT_MAX", "3").poll() == Agent.Outcome.REBOOTING) {
            polls++;
        }
        assertThat(polls).isEqualTo(3);
        Request done = awaitEnd(loop);
        assertThat(done.state()).isEqualTo(RequestState.ABORTED);
        assertThat(dropLog(loop, "1-smoke.agent")).contains("reboot loop").contains("reboot.max = 3");
    }

    @Test
    void aRebootThatDidNotChangeTheBootIdIsReported() throws Exception {
        Request request = file("olivia", true, "smoke");
        awaitPlaced(request);
        assertThat(agent("LABDROP_REBOOT_COMMAND", "true").poll()).isEqualTo(Agent.Outcome.REBOOTING);
        assertThat(agent("LABDROP_REBOOT_COMMAND", "true").poll()).as("a new process runs the command once more")
                .isEqualTo(Agent.Outcome.REBOOTING);
        assertThat(agent("LABDROP_REBOOT_COMMAND", "true").poll()).isEqualTo(Agent.Outcome.RAN);
        Request done = awaitEnd(request);
        assertThat(done.state()).isEqualTo(RequestState.ERROR);
        assertThat(done.reason()).contains("the reboot did not happen").contains("boot-1").contains("twice");
    }

    @Test
    void aTestPastItsTimeoutIsKilledAndTheRunGoesOn() throws Exception {
        Request request = lab.s.desk().file(new RequestSpec("sut-01", "olivia",
                List.of(new TestSpec("smoke", null, List.of("sleep", "60"), 1), TestSpec.parse("smoke")),
                Priority.NORMAL, false, null, null, null, null));
        awaitPlaced(request);
        agent().poll();
        Request done = awaitEnd(request);
        assertThat(lab.s.desk().results(done)).extracting(r -> r.outcome()).containsExactly("error", "pass");
        assertThat(dropLog(request, "1-smoke.agent")).contains("timed out after 1s");
    }

    @Test
    void aPollIsSkippedWhileTheLoadIsAboveMaxLoadButARunningRequestGoesOn() throws Exception {
        lab.s.hosts().writeConfig("sut-01", "directions", "max_load = 4\n", "admin");
        AgentConfig config = AgentConfig.load(null, env());
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        double[] load = {0.5};
        Agent agent = new Agent(config, Clock.systemUTC(), new Random(1), () -> load[0]);
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.IDLE);
        Request request = file("olivia", false, "smoke");
        awaitPlaced(request);
        load[0] = 6.5;
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.LOAD_TOO_HIGH);
        assertThat(placed(request)).exists();
        load[0] = 3.9;
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.RAN);
        assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
    }

    @Test
    void theKernelInstallStepRunsTheDirectionsCommandWithTheRequestedKernel() throws Exception {
        lab.s.hosts().writeConfig("sut-01", "directions",
                "kernel_install = echo installing kernel $LABDROP_KERNEL for $LABDROP_REQUEST\n", "admin");
        Request request = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                Priority.NORMAL, false, "6.1.0-test", null, null, null));
        awaitPlaced(request);
        assertThat(agent().poll()).isEqualTo(Agent.Outcome.RAN);
        assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
        assertThat(dropLog(request, "kernel-install.log")).contains("installing kernel 6.1.0-test for " + request.id());

        lab.s.hosts().writeConfig("sut-01", "directions", "kernel_install = exit 7\n", "admin");
        Request failing = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                Priority.NORMAL, false, "6.1.0-test", null, null, null));
        awaitPlaced(failing);
        agent().poll();
        Request done = awaitEnd(failing);
        assertThat(done.state()).isEqualTo(RequestState.ERROR);
        assertThat(done.reason()).contains("kernel-install step").contains("exited with 7");
    }

    @Test
    void theBuildSetStepRunsTheRequestsCommandBeforeTheTestsAndItsFailureEndsTheRequest() throws Exception {
        Path marker = dir.resolve("built-by-build-set");
        Request request = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                Priority.NORMAL, false, null, "echo building for $LABDROP_REQUEST; echo ok > " + marker, null, null));
        awaitPlaced(request);
        assertThat(agent().poll()).isEqualTo(Agent.Outcome.RAN);
        assertThat(awaitEnd(request).state()).isEqualTo(RequestState.PASSED);
        assertThat(marker).hasContent("ok");
        assertThat(dropLog(request, "build-set.log")).contains("building for " + request.id());

        Request failing = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                Priority.NORMAL, false, null, "echo broken build; exit 3", null, null));
        awaitPlaced(failing);
        agent().poll();
        Request done = awaitEnd(failing);
        assertThat(done.state()).isEqualTo(RequestState.ERROR);
        assertThat(done.reason()).contains("build-set step").contains("exited with 3");
        assertThat(lab.s.desk().results(done)).as("no test ran after the failed step")
                .noneMatch(t -> t.outcome().equals("pass"));
        assertThat(dropLog(failing, "build-set.log")).contains("broken build");
    }

    @Test
    void aRequestsOwnRepositoryIsTriedFirstAndTheBuiltinOneAfter() throws Exception {
        Path builtin = lab.config.http().repositories().get("builtin");
        String tarball = "test-smoke.tar.bz2";
        Path copy = Files.createDirectories(dir.resolve("testers-copy"));
        for (String name : List.of(tarball, "packages.checksum")) {
            Files.copy(builtin.resolve(name), copy.resolve(name));
        }
        Path empty = Files.createDirectories(dir.resolve("testers-empty"));
        Files.writeString(empty.resolve("packages.checksum"), "");
        long indexAndPackage = Files.size(builtin.resolve("packages.checksum")) + Files.size(builtin.resolve(tarball));
        try (CountingRepository own = new CountingRepository(copy); CountingRepository lacking = new CountingRepository(empty)) {
            Request first = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                    Priority.NORMAL, false, null, null, null, own.url()));
            awaitPlaced(first);
            long before = packageBytesServed();
            agent().poll();
            assertThat(awaitEnd(first).state()).isEqualTo(RequestState.PASSED);
            assertThat(own.gets(tarball)).as("fetches of the package from the request's own repository").isEqualTo(1);
            assertThat(packageBytesServed() - before).as("package bytes the builtin repository served").isZero();

            Request second = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                    Priority.NORMAL, false, null, null, null, lacking.url()));
            awaitPlaced(second);
            agent("LABDROP_WORK_DIR", dir.resolve("agent-2").toString()).poll();
            assertThat(awaitEnd(second).state()).isEqualTo(RequestState.PASSED);
            assertThat(lacking.gets("packages.checksum")).as("the request's repository asked first").isEqualTo(1);
            assertThat(lacking.gets(tarball)).as("a package its index does not list is not fetched from it").isZero();
            assertThat(packageBytesServed() - before).as("the builtin repository served its index and the package once")
                    .isEqualTo(indexAndPackage);
        }
    }

    @Test
    void theDaemonWaitsARandomPartOfTheJitterBeforeEachScheduledPollButNotAtStartUp() throws Exception {
        List<Duration> waits = new CopyOnWriteArrayList<>();
        Path state = lab.config.dropDir().resolve("sut-01/state_file");
        AgentConfig rare = AgentConfig.load(null, env("LABDROP_SCHEDULE_CRON", "0 0 0 1 1 ? 2099",
                "LABDROP_SCHEDULE_JITTER", "20s"));
        try (AgentDaemon daemon = new AgentDaemon(new Agent(rare, Clock.systemUTC(), new Random(11), () -> 0.0, waits::add))) {
            daemon.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(state));
        }
        assertThat(waits).as("the start-up poll does not wait").isEmpty();

        AgentConfig config = AgentConfig.load(null, env("LABDROP_SCHEDULE_CRON", "* * * * * ?",
                "LABDROP_SCHEDULE_JITTER", "20s"));
        Agent agent = new Agent(config, Clock.systemUTC(), new Random(11), () -> 0.0, waits::add);
        try (AgentDaemon daemon = new AgentDaemon(agent)) {
            daemon.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> waits.size() >= 3);
        }
        Random replay = new Random(11);
        List<Duration> expected = waits.stream().map(w -> AgentDaemon.waitBeforePoll(replay, Duration.ofSeconds(20))).toList();
        assertThat(waits).as("one wait per scheduled poll, drawn from the agent's random source")
                .isEqualTo(expected);
        assertThat(waits).allMatch(w -> w.compareTo(Duration.ofSeconds(20)) < 0).doesNotHaveDuplicates();
    }
}
