package labdrop.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Agent versions as self-update and agent.min-version compare them. */
class AgentVersionOrderTest {
    @Test
    void preReleaseNumbersCompareAsNumbersSoRc10FollowsRc9() {
        assertThat(HostState.compareVersions("0.2.0-rc.10", "0.2.0-rc.9")).isPositive();
        assertThat(HostState.compareVersions("0.2.0-rc.9", "0.2.0-rc.10")).isNegative();
    }

    @Test
    void aReleaseIsNewerThanItsPreReleasesAndNumbersAreNumbers() {
        List<String> shuffled = new ArrayList<>(List.of("0.2.0", "0.10.0", "0.2.0-rc.10", "0.2.0-SNAPSHOT", "0.9.3",
                "0.2.0-rc.2", "0.2.0-beta.1", "0.2.1", "0.2.0-alpha"));
        Collections.shuffle(shuffled);
        shuffled.sort(HostState::compareVersions);
        assertThat(shuffled).containsExactly("0.2.0-alpha", "0.2.0-beta.1", "0.2.0-rc.2", "0.2.0-rc.10",
                "0.2.0-SNAPSHOT", "0.2.0", "0.2.1", "0.9.3", "0.10.0");
    }

    @Test
    void trailingZerosAndEqualVersionsCompareEqual() {
        assertThat(HostState.compareVersions("1.2", "1.2.0")).isZero();
        assertThat(HostState.compareVersions("0.1.0", "0.1.0")).isZero();
    }
}
