package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate the agent leaves for the launcher's quiet poll: only after a quiet poll, under the launcher's key. */
class OnceGateTest {
    @TempDir
    Path dir;

    AgentConfig config(boolean doorbell) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "sut-1");
        env.put("LABDROP_DROP_URL", dir.resolve("drop").toUri().toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("work").toString());
        env.put("LABDROP_SSH_CONNECT_TIMEOUT", "2s");
        env.put("LABDROP_SSH_TIMEOUT", "1500ms");
        if (doorbell) {
            env.put("LABDROP_DOORBELL_URL", "http://127.0.0.1:8080/api/v1/hosts/sut-1/generation?x=a=b");
            env.put("LABDROP_DOORBELL_TOKEN_FILE", dir.resolve("token").toString());
        }
        AgentConfig config = AgentConfig.load(null, env);
        Files.createDirectories(config.workDir());
        return config;
    }

    @Test
    void aQuietPollUnderTheLaunchersKeyLeavesWhatCurlNeeds() throws Exception {
        AgentConfig config = config(true);
        OnceGate.afterPoll(config, Agent.Outcome.QUIET, "123 45\n");
        assertThat(Files.readAllLines(config.workDir().resolve(OnceGate.FILE))).containsExactly(
                "key=123 45",
                "url=http://127.0.0.1:8080/api/v1/hosts/sut-1/generation?x=a=b",
                "token-file=" + dir.resolve("token").toAbsolutePath(),
                "safety-every=10",
                "connect-timeout=2.000",
                "max-time=3.500",
                "ca-file=");
    }

    @Test
    void anyOtherPollNoKeyOrNoDoorbellRemovesIt() throws Exception {
        AgentConfig config = config(true);
        Path gate = config.workDir().resolve(OnceGate.FILE);
        for (Agent.Outcome outcome : Agent.Outcome.values()) {
            OnceGate.afterPoll(config, Agent.Outcome.QUIET, "1 1");
            assertThat(gate).exists();
            OnceGate.afterPoll(config, outcome, outcome == Agent.Outcome.QUIET ? null : "1 1");
            assertThat(gate).as(outcome.name()).doesNotExist();
        }
        OnceGate.afterPoll(config, Agent.Outcome.QUIET, "1 1");
        AgentConfig withoutDoorbell = config(false);
        OnceGate.afterPoll(withoutDoorbell, Agent.Outcome.QUIET, "1 1");
        assertThat(gate).doesNotExist();
    }
}
