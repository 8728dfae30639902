package labdrop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import labdrop.app.Sut;
import labdrop.app.TestLab;
import labdrop.host.HostState;
import labdrop.request.Priority;
import labdrop.request.RequestState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** agent.min-version: an older agent's host gets no requests and says why, until a newer agent reports. */
class AgentVersionIT {
    @TempDir
    Path dir;

    @Test
    void anOutdatedAgentIsRefusedWithTheReasonAndANewerOneGetsTheWork() throws Exception {
        try (TestLab lab = new TestLab(dir.resolve("state"), null, Map.of("LABDROP_AGENT_MIN_VERSION", "0.2.0"))) {
            lab.addActive("sut-v1");
            Sut sut = lab.sut("sut-v1");
            sut.stateOfVersion("Available", "0.1.9");
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.host("sut-v1").state() == HostState.OUTDATED);
            assertThat(lab.host("sut-v1").message()).contains("agent 0.1.9 is older than the minimum 0.2.0 (agent.min-version)");
            assertThat(lab.host("sut-v1").agentVersion()).isEqualTo("0.1.9");
            String id = lab.file("sut-v1", "tess", Priority.NORMAL).id();
            assertThat(lab.request(id).state()).as("no request for an outdated agent").isEqualTo(RequestState.QUEUED);
            assertThat(lab.config.dropDir().resolve("sut-v1/current")).isEmptyDirectory();

            sut.stateOfVersion("Available", "0.2.0-SNAPSHOT");
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.host("sut-v1").agentVersion().equals("0.2.0-SNAPSHOT"));
            assertThat(lab.host("sut-v1").state()).as("a pre-release of the minimum is older").isEqualTo(HostState.OUTDATED);

            sut.stateOfVersion("Available", "0.10.0");
            await().atMost(Duration.ofSeconds(20)).until(() -> lab.request(id).state() == RequestState.PLACED);
            assertThat(lab.host("sut-v1").state()).isEqualTo(HostState.PENDING);
            assertThat(lab.config.dropDir().resolve("sut-v1/current/" + id + ".xml")).exists();
        }
    }

    @Test
    void versionsCompareNumberByNumberAndAPreReleaseIsOlder() {
        assertThat(HostState.compareVersions("0.10.0", "0.9.3")).isPositive();
        assertThat(HostState.compareVersions("1.2", "1.2.0")).isZero();
        assertThat(HostState.compareVersions("0.2.0-SNAPSHOT", "0.2.0")).isNegative();
        assertThat(HostState.compareVersions("0.2.0", "0.2.0-SNAPSHOT")).isPositive();
        assertThat(HostState.compareVersions("0.1.0", "0.1.0")).isZero();
    }
}
