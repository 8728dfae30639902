package labdrop.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import labdrop.host.HostState;
import labdrop.request.WatchdogRules.Verdict;
import org.junit.jupiter.api.Test;

class WatchdogRulesTest {
    private static final Duration HEARTBEAT = Duration.ofMinutes(10);
    private static final Duration GRACE = Duration.ofMinutes(5);

    private static Verdict after(int minutes, HostState state) {
        return WatchdogRules.judge(Duration.ofMinutes(minutes), HEARTBEAT, GRACE, state);
    }

    @Test
    void silencePastTheHeartbeatLosesTheHostAndPastTheGraceAbortsTheRequest() {
        assertThat(after(10, HostState.RUNNING)).isEqualTo(new Verdict(false, false));
        assertThat(after(11, HostState.RUNNING)).isEqualTo(new Verdict(false, true));
        assertThat(after(15, HostState.RUNNING)).isEqualTo(new Verdict(false, true));
        assertThat(after(16, HostState.RUNNING)).isEqualTo(new Verdict(true, true));
    }

    @Test
    void anAdminHoldOrAnAlreadyLostHostStaysAsItIsWhileItsRequestIsStillAborted() {
        for (HostState state : new HostState[] {HostState.MAINT, HostState.RETIRED, HostState.LOST}) {
            assertThat(after(16, state)).as(state.label()).isEqualTo(new Verdict(true, false));
        }
    }
}
