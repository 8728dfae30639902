package labdrop.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import labdrop.host.Host;
import labdrop.host.HostHealth;
import labdrop.host.HostState;
import labdrop.request.StateReportRules.Decision;
import labdrop.request.StateReportRules.Report;
import org.junit.jupiter.api.Test;

/** Given a host, its placed request and a report: what moves, what is held, what is ignored. */
class StateReportRulesTest {
    private static final long MAX_SEQ = 10_000;

    static Host host(HostState state, long lastSeq) {
        return new Host("sut-01", "generic", "", "alice", false, state, null, lastSeq, null, null, null, null, null,
                null, null, null, Instant.EPOCH, HostHealth.UNKNOWN);
    }

    static Optional<Request> placed(long number, RequestState state) {
        return Optional.of(QueueRulesTest.inQueue(number, Priority.NORMAL, number, state));
    }

    static Decision decide(Host host, Optional<Request> placed, HostState status, long seq, String request) {
        return StateReportRules.decide(host, placed, new Report(status, seq, request, "said"), MAX_SEQ, null);
    }

    @Test
    void aReportNotNewerThanTheLastIsIgnoredUnlessTheLastWasBeyondTheClock() {
        assertThat(decide(host(HostState.AVAILABLE, 50), Optional.empty(), HostState.RUNNING, 50, null).applied()).isFalse();
        assertThat(decide(host(HostState.AVAILABLE, 50), Optional.empty(), HostState.RUNNING, 49, null).applied()).isFalse();
        Decision unfrozen = decide(host(HostState.AVAILABLE, MAX_SEQ + 1), Optional.empty(), HostState.RUNNING, 60, null);
        assertThat(unfrozen.applied()).isTrue();
        assertThat(unfrozen.hostState()).contains(HostState.RUNNING);
    }

    @Test
    void thePlacedRequestMovesForwardOnlyWhenTheReportNamesIt() {
        Optional<Request> r5 = placed(5, RequestState.PLACED);
        assertThat(decide(host(HostState.PENDING, 1), r5, HostState.INSTALL, 2, "r-5").requestState())
                .contains(RequestState.PICKED_UP);
        assertThat(decide(host(HostState.PENDING, 1), r5, HostState.RUNNING, 2, "r-5").requestState())
                .contains(RequestState.RUNNING);
        assertThat(decide(host(HostState.PENDING, 1), r5, HostState.REBOOTING, 2, "r-5").requestState())
                .contains(RequestState.RUNNING);
        assertThat(decide(host(HostState.PENDING, 1), r5, HostState.RUNNING, 2, "r-4").requestState()).isEmpty();
        assertThat(decide(host(HostState.RUNNING, 1), placed(5, RequestState.RUNNING), HostState.INSTALL, 2, "r-5")
                .requestState()).as("never back").isEmpty();
    }

    @Test
    void aHostTakesTheReportedStateAndItsQueueMayMove() {
        Decision d = decide(host(HostState.RUNNING, 1), Optional.empty(), HostState.AVAILABLE, 2, null);
        assertThat(d.hostState()).contains(HostState.AVAILABLE);
        assertThat(d.release()).isTrue();
        assertThat(d.message()).isEqualTo("said");
    }

    @Test
    void availableWhileItsRequestIsOnlyPlacedIsPending() {
        Decision d = decide(host(HostState.PENDING, 1), placed(5, RequestState.PLACED), HostState.AVAILABLE, 2, null);
        assertThat(d.hostState()).contains(HostState.PENDING);
        Decision pickedUp = decide(host(HostState.PENDING, 1), placed(5, RequestState.PICKED_UP), HostState.AVAILABLE, 2, null);
        assertThat(pickedUp.hostState()).contains(HostState.AVAILABLE);
    }

    @Test
    void anAdminHoldIsKeptAndTheQueueStaysHeld() {
        for (HostState held : new HostState[] {HostState.MAINT, HostState.RETIRED}) {
            Decision d = decide(host(held, 1), placed(5, RequestState.PLACED), HostState.RUNNING, 2, "r-5");
            assertThat(d.hostState()).as(held.label()).isEmpty();
            assertThat(d.release()).isFalse();
            assertThat(d.requestState()).as("the run itself still moves").contains(RequestState.RUNNING);
        }
    }

    @Test
    void anOutdatedAgentLeavesAnIdleHostOutdatedWithTheReasonAndHoldsTheQueue() {
        Decision idle = StateReportRules.decide(host(HostState.AVAILABLE, 1), Optional.empty(),
                new Report(HostState.AVAILABLE, 2, null, "said"), MAX_SEQ, "agent 0.1 is older");
        assertThat(idle.hostState()).contains(HostState.OUTDATED);
        assertThat(idle.message()).isEqualTo("agent 0.1 is older");
        assertThat(idle.release()).isFalse();
        Decision busy = StateReportRules.decide(host(HostState.RUNNING, 1), placed(5, RequestState.RUNNING),
                new Report(HostState.RUNNING, 2, "r-5", "said"), MAX_SEQ, "agent 0.1 is older");
        assertThat(busy.hostState()).as("a running request finishes first").isEmpty();
        Decision held = StateReportRules.decide(host(HostState.MAINT, 1), Optional.empty(),
                new Report(HostState.AVAILABLE, 2, null, "said"), MAX_SEQ, "agent 0.1 is older");
        assertThat(held.hostState()).isEmpty();
    }
}
