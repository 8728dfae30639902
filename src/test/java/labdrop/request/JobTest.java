package labdrop.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobTest {
    private static Job of(RequestState... states) {
        List<Request> members = Arrays.stream(states).map(s -> QueueRulesTest.inQueue(1, Priority.NORMAL, 1, s)).toList();
        return new Job(7, "bob", Instant.parse("2026-12-04T10:00:00Z"), new Pool("rpi4", List.of()), false, members);
    }

    @Test
    void aJobRunsWhileAMemberRunsWaitsWhileTheyWaitAndEndsAsItsWorstMember() {
        assertThat(of(RequestState.PASSED, RequestState.RUNNING, RequestState.QUEUED).state()).isEqualTo("Running");
        assertThat(of(RequestState.PASSED, RequestState.QUEUED).state()).isEqualTo("Queued");
        assertThat(of(RequestState.PASSED, RequestState.PASSED).state()).isEqualTo("Passed");
        assertThat(of(RequestState.PASSED, RequestState.FAILED, RequestState.CANCELLED).state()).isEqualTo("Failed");
        assertThat(of(RequestState.FAILED, RequestState.ABORTED).state()).isEqualTo("Aborted");
        assertThat(of(RequestState.ABORTED, RequestState.ERROR, RequestState.PASSED).state()).isEqualTo("Error");
        assertThat(of(RequestState.CANCELLED, RequestState.PASSED).state()).isEqualTo("Cancelled");
    }

    @Test
    void aJobIdIsJDashANumber() {
        assertThat(Job.idOf(7)).isEqualTo("j-7");
        assertThat(Job.numberOf("j-7")).isEqualTo(7);
        assertThat(Job.numberOf("r-7")).isEqualTo(-1);
        assertThat(Job.numberOf("j-%2e%2e")).isEqualTo(-1);
    }
}
