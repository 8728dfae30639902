package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.host.HostState;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as the package runs it (appliance/labdrop agent) starts its JVM afresh when it has been
 * idle daemon.afresh-after-idle after a run and is over daemon.max-idle-mib: requests in a row run
 * on the warm JVM, the launcher starts the new one at once, the new JVM runs the next request, and a
 * TERM to the launcher stops the JVM too.
 */
class DaemonAfreshIT {
    @TempDir
    Path dir;
    TestLab lab;
    Process launcher;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        lab.s.hosts().add(new HostDraft("sut-f1", "default", "", "olivia", false, true, null), "admin");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        Files.writeString(dir.resolve("doorbell.token"), lab.s.doorbell().issueToken("sut-f1") + "\n");
    }

    @AfterEach
    void stop() {
        if (launcher != null) {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
        lab.close();
    }

    void startDaemon(int maxIdleMib, String afreshAfterIdle, String cron) throws Exception {
        String base = "http://127.0.0.1:" + lab.app.httpPort();
        ProcessBuilder pb = new ProcessBuilder("appliance/labdrop", "agent").redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        pb.environment().putAll(Map.of("LABDROP_HOST", "sut-f1",
                "LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-f1").toUri().toString(),
                "LABDROP_WORK_DIR", dir.resolve("agent").toString(),
                "LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString(),
                "LABDROP_DOORBELL_URL", base + "/api/v1/hosts/sut-f1/generation",
                "LABDROP_DOORBELL_TOKEN_FILE", dir.resolve("doorbell.token").toString(),
                "LABDROP_SCHEDULE_JITTER", "0s",
                "LABDROP_SCHEDULE_CRON", cron,
                "LABDROP_DAEMON_MAX_IDLE_MIB", Integer.toString(maxIdleMib)));
        pb.environment().put("LABDROP_DAEMON_AFRESH_AFTER_IDLE", afreshAfterIdle);
        launcher = pb.start();
        await(log()).atMost(Duration.ofSeconds(60)).until(() -> jvm().isPresent()
                && lab.s.hosts().show("sut-f1").state() == HostState.AVAILABLE);
    }

    /** The launcher's JVM: its only child. */
    Optional<ProcessHandle> jvm() {
        List<ProcessHandle> children = launcher.children().toList();
        return children.size() == 1 ? Optional.of(children.get(0)) : Optional.empty();
    }

    Request runOne() {
        Request r = lab.s.desk().file(new RequestSpec("sut-f1", "olivia", List.of(TestSpec.parse("smoke")), Priority.NORMAL,
                false, null, null, null, null));
        await(log()).atMost(Duration.ofSeconds(60)).until(() -> lab.s.desk().find(r.id()).state().isFinal());
        assertThat(lab.s.desk().find(r.id()).state()).as(log()).isEqualTo(RequestState.PASSED);
        return r;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("agent.log"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void idleAfterItsRunsAndOverTheCapTheLauncherStartsItAfreshAndTheNewJvmRunsTheNextRequest() throws Exception {
        // scheduled polls at 03:00 only: the poll that starts it afresh is the one its last run scheduled
        startDaemon(1, "10s", "0 0 3 * * ?");
        ProcessHandle first = jvm().orElseThrow();
        runOne();
        runOne();
        assertThat(jvm()).as("requests in a row run on the warm JVM\n" + log()).contains(first);
        assertThat(log()).doesNotContain("starting afresh");

        await(log()).atMost(Duration.ofSeconds(60)).until(() -> jvm().filter(j -> j.pid() != first.pid()).isPresent());
        assertThat(first.isAlive()).isFalse();
        assertThat(launcher.isAlive()).as("the launcher stays, the JVM is new").isTrue();
        assertThat(log()).contains("idle PT10S after a run with").contains("over daemon.max-idle-mib = 1: starting afresh")
                .contains("exiting with 76 to be started afresh by the launcher");
        ProcessHandle second = jvm().orElseThrow();

        runOne();
        await(log()).atMost(Duration.ofSeconds(60)).until(() -> jvm().filter(j -> j.pid() != second.pid()).isPresent());

        ProcessHandle third = jvm().orElseThrow();
        await(log()).atMost(Duration.ofSeconds(60)).until(() -> lab.s.hosts().show("sut-f1").state() == HostState.AVAILABLE);
        launcher.destroy();
        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).as("TERM to the launcher ends it\n" + log()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !third.isAlive());
    }

    @Test
    void withTheCapOffTheJvmStaysAfterRuns() throws Exception {
        // a poll every second: none starts it afresh with the cap off
        startDaemon(0, "0s", "0/1 * * * * ?");
        ProcessHandle first = jvm().orElseThrow();
        runOne();
        runOne();
        // quiet polls every second: several have come and gone
        Thread.sleep(3000);
        assertThat(jvm()).contains(first);
        assertThat(log()).doesNotContain("starting afresh");
    }
}
