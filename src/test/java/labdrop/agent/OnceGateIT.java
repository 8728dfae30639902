package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import labdrop.app.TestLab;
import labdrop.admin.HostDraft;
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
 * A timer's quiet poll through the launcher (appliance/labdrop agent --once): after a quiet poll of the
 * agent's own, the launcher asks the doorbell itself with curl and ends the poll without a JVM, and
 * leaves every poll that may not be quiet to the agent: a placement, the safety net, another
 * configuration, a refused token, the gate switched off.
 */
class OnceGateIT {
    static final String BY_LAUNCHER = "poll: quiet (the launcher asked the doorbell)";
    @TempDir
    Path dir;
    TestLab lab;
    Path work;
    Path tokenFile;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        lab.s.hosts().add(new HostDraft("sut-g1", "default", "", "olivia", false, true, null), "admin");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        work = dir.resolve("agent");
        tokenFile = dir.resolve("doorbell.token");
        Files.writeString(tokenFile, lab.s.doorbell().issueToken("sut-g1") + "\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        String base = "http://127.0.0.1:" + lab.app.httpPort();
        env.put("LABDROP_HOST", "sut-g1");
        env.put("LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-g1").toUri().toString());
        env.put("LABDROP_WORK_DIR", work.toString());
        env.put("LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_DOORBELL_URL", base + "/api/v1/hosts/sut-g1/generation");
        env.put("LABDROP_DOORBELL_TOKEN_FILE", tokenFile.toString());
        env.put("LABDROP_DOORBELL_SAFETY_EVERY", "4");
        env.put("LABDROP_SCHEDULE_JITTER", "0s");
        return env;
    }

    /** One poll as the systemd timer runs it; what it printed last. */
    String once(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("appliance/labdrop", "agent", "--once").redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().filter(l -> l.startsWith("poll: ")).toList();
        assertThat(lines).as(out).hasSize(1);
        return lines.get(0);
    }

    /** The agent's own polls until one is quiet (the first ones report the host's state and learn the ETag). */
    void untilTheAgentIsQuiet(Map<String, String> env) throws Exception {
        for (int i = 0; i < 4; i++) {
            if (once(env).equals("poll: quiet")) {
                return;
            }
        }
        throw new AssertionError("the agent's polls never became quiet");
    }

    int quietPolls() throws Exception {
        return Integer.parseInt(Files.readAllLines(work.resolve("doorbell.state")).get(1).strip());
    }

    @Test
    void aQuietPollEndsInTheLauncherAndAPlacementStartsTheAgent() throws Exception {
        Map<String, String> env = env();
        untilTheAgentIsQuiet(env);
        assertThat(work.resolve(OnceGate.FILE)).exists();
        int before = quietPolls();
        assertThat(once(env)).isEqualTo(BY_LAUNCHER);
        assertThat(quietPolls()).as("the launcher counts its quiet polls toward the safety net").isEqualTo(before + 1);

        Request r = lab.s.desk().file(new RequestSpec("sut-g1", "olivia", List.of(TestSpec.parse("smoke")),
                Priority.NORMAL, false, null, null, null, null));
        assertThat(once(env)).isEqualTo("poll: ran");
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(r.id()).state() == RequestState.PASSED);
        assertThat(work.resolve(OnceGate.FILE)).as("a run leaves no gate").doesNotExist();
        untilTheAgentIsQuiet(env);
        assertThat(once(env)).isEqualTo(BY_LAUNCHER);
    }

    @Test
    void theSafetyNetAnotherConfigurationARefusedTokenOrGateOffStartTheAgent() throws Exception {
        Map<String, String> env = env();
        untilTheAgentIsQuiet(env);
        // safety-every = 4: the agent's quiet poll counted 1, the launcher's make 2 and 3, the fourth opens the drop
        assertThat(quietPolls()).isEqualTo(1);
        assertThat(once(env)).isEqualTo(BY_LAUNCHER);
        assertThat(once(env)).isEqualTo(BY_LAUNCHER);
        assertThat(once(env)).as("the safety net is the agent's").isEqualTo("poll: idle");
        assertThat(quietPolls()).isZero();

        untilTheAgentIsQuiet(env);
        Map<String, String> changed = new HashMap<>(env);
        changed.put("LABDROP_SSH_TIMEOUT", "45s");
        assertThat(once(changed)).as("a gate written under another configuration").isEqualTo("poll: quiet");
        assertThat(once(changed)).isEqualTo(BY_LAUNCHER);
        assertThat(once(changed)).isEqualTo("poll: idle");

        untilTheAgentIsQuiet(changed);
        Map<String, String> off = new HashMap<>(changed);
        off.put("LABDROP_ONCE_GATE", "off");
        assertThat(once(off)).isEqualTo("poll: quiet");
        assertThat(quietPolls()).isEqualTo(2);

        lab.s.doorbell().issueToken("sut-g1"); // the file's token no longer works
        assertThat(once(changed)).as("a 401 is the agent's to report").isEqualTo("poll: idle");
    }
}
