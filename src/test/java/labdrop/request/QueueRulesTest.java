package labdrop.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueRulesTest {

    private static Request filed(long number, Priority priority, String at) {
        return new Request(number, "sut-01", "bob", Instant.parse(at), priority, RequestState.QUEUED, null, false,
                null, null, null, null, null, List.of(TestSpec.parse("dbench")), List.of(), null);
    }

    @Test
    void ordersByPriorityThenFilingTimeThenNumber() {
        List<Request> queue = new ArrayList<>(List.of(
                filed(1, Priority.NORMAL, "2026-01-01T10:00:00Z"),
                filed(2, Priority.LOW, "2026-01-01T09:00:00Z"),
                filed(3, Priority.URGENT, "2026-01-01T11:00:00Z"),
                filed(4, Priority.NORMAL, "2026-01-01T09:30:00Z"),
                filed(5, Priority.NORMAL, "2026-01-01T09:30:00Z")));
        queue.sort(QueueRules.PLACEMENT_ORDER);
        assertThat(queue).extracting(Request::number).containsExactly(3L, 4L, 5L, 1L, 2L);
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
