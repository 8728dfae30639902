package labdrop.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import labdrop.host.HostState;
import org.junit.jupiter.api.Test;

class QueueRulesTest {

    private static Request filed(long number, Priority priority) {
        return inQueue(number, priority, number, RequestState.QUEUED);
    }

    static Request inQueue(long number, Priority priority, long queueRank, RequestState state) {
        return new Request(number, "sut-01", "bob", Instant.parse("2026-01-01T10:00:00Z").plusSeconds(number), priority,
                state, null, false, null, null, null, null, null, List.of(TestSpec.parse("dbench")), List.of(), null,
                queueRank);
    }

    /** Numbers are issued in filing order, so a queue never moved is in filing order within a priority. */
    @Test
    void ordersByPriorityThenFilingOrderThenNumber() {
        List<Request> queue = new ArrayList<>(List.of(
                filed(1, Priority.NORMAL),
                filed(2, Priority.LOW),
                filed(3, Priority.URGENT),
                filed(4, Priority.NORMAL),
                filed(5, Priority.NORMAL)));
        queue.sort(QueueRules.PLACEMENT_ORDER);
        assertThat(queue).extracting(Request::number).containsExactly(3L, 1L, 4L, 5L, 2L);
    }

    @Test
    void aMovedRequestTakesItsNewPlaceAmongItsPriority() {
        List<Request> queue = new ArrayList<>(List.of(inQueue(1, Priority.NORMAL, 1, RequestState.QUEUED),
                inQueue(2, Priority.NORMAL, 2, RequestState.QUEUED), inQueue(3, Priority.NORMAL, 0, RequestState.QUEUED),
                inQueue(4, Priority.HIGH, 4, RequestState.QUEUED)));
        queue.sort(QueueRules.PLACEMENT_ORDER);
        assertThat(queue).extracting(Request::number).containsExactly(4L, 3L, 1L, 2L);
    }

    @Test
    void anAvailableHostTakesTheHeadOfItsQueueAndBecomesPending() {
        List<Request> queue = List.of(inQueue(7, Priority.NORMAL, 7, RequestState.QUEUED),
                inQueue(9, Priority.URGENT, 9, RequestState.QUEUED), inQueue(8, Priority.NORMAL, 8, RequestState.QUEUED));
        QueueRules.Release release = QueueRules.release(HostState.AVAILABLE, HostState.AVAILABLE, false, queue);
        assertThat(release.placed()).get().extracting(Request::number).isEqualTo(9L);
        assertThat(release.hostState()).isEqualTo(HostState.PENDING);
        assertThat(QueueRules.release(HostState.AVAILABLE, null, false, List.of()))
                .isEqualTo(new QueueRules.Release(HostState.AVAILABLE, Optional.empty()));
    }

    @Test
    void everyOtherHostStateHoldsTheQueue() {
        List<Request> queue = List.of(inQueue(7, Priority.URGENT, 7, RequestState.QUEUED));
        for (HostState held : List.of(HostState.MAINT, HostState.RETIRED, HostState.LOST, HostState.OUTDATED,
                HostState.INSTALL, HostState.RUNNING, HostState.REBOOTING)) {
            assertThat(QueueRules.release(held, HostState.AVAILABLE, false, queue))
                    .as(held.label()).isEqualTo(new QueueRules.Release(held, Optional.empty()));
        }
    }

    @Test
    void aHostWithARequestPlacedKeepsItAndItsQueueWaits() {
        List<Request> queue = List.of(inQueue(7, Priority.URGENT, 7, RequestState.QUEUED));
        assertThat(QueueRules.release(HostState.PENDING, HostState.AVAILABLE, true, queue))
                .isEqualTo(new QueueRules.Release(HostState.PENDING, Optional.empty()));
    }

    @Test
    void pendingWithNothingPlacedSettlesToWhatTheSutLastReported() {
        List<Request> queue = List.of(inQueue(7, Priority.NORMAL, 7, RequestState.QUEUED));
        assertThat(QueueRules.release(HostState.PENDING, HostState.RUNNING, false, queue))
                .isEqualTo(new QueueRules.Release(HostState.RUNNING, Optional.empty()));
        assertThat(QueueRules.release(HostState.PENDING, null, false, queue).placed()).get()
                .extracting(Request::number).isEqualTo(7L);
        assertThat(QueueRules.release(HostState.PENDING, HostState.AVAILABLE, false, List.of()).hostState())
                .isEqualTo(HostState.AVAILABLE);
    }

    @Test
    void ownerOnlyHostRejectsOthersWithTheReasonAndAcceptsItsOwner() {
        assertThat(QueueRules.rejection("sut-01", "alice", true, "bob")).get().asString()
                .contains("host 'sut-01' is owner-only").contains("'alice'");
        assertThat(QueueRules.rejection("sut-01", "alice", true, "alice")).isEmpty();
        assertThat(QueueRules.rejection("sut-01", "alice", false, "bob")).isEmpty();
    }

    @Test
    void abortedIsInfrastructureAndWinsOverAFailingTest() {
        assertThat(QueueRules.outcome(List.of("pass", "skipped"))).isEqualTo(RequestState.PASSED);
        assertThat(QueueRules.outcome(List.of("pass", "fail"))).isEqualTo(RequestState.FAILED);
        assertThat(QueueRules.outcome(List.of("fail", "error"))).isEqualTo(RequestState.ERROR);
        assertThat(QueueRules.outcome(List.of("fail", "aborted"))).isEqualTo(RequestState.ABORTED);
    }

    @Test
    void parsesTestsInTheCliForm() {
        assertThat(TestSpec.parse("dbench:-t 60  -x").args()).containsExactly("-t", "60", "-x");
        assertThat(TestSpec.parse("dbench").args()).isEmpty();
    }
}
