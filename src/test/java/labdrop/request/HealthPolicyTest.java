package labdrop.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthPolicyTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    private static HealthPolicy policy(String tests, String interval, String afterErrors) {
        return HealthPolicy.of(Map.of("health_check", tests, "health_interval", interval, "health_after_errors", afterErrors));
    }

    @Test
    void aTypeFilesTestsWithTheirArgumentsAndWithoutTestsChecksNothing() {
        HealthPolicy p = policy("boot-check, usb:-d /dev/sda", "12h", "3");
        assertThat(p.tests()).containsExactly(TestSpec.parse("boot-check"), TestSpec.parse("usb:-d /dev/sda"));
        assertThat(p.interval()).isEqualTo(Duration.ofHours(12));
        assertThat(p.enabled()).isTrue();
        HealthPolicy none = policy("", "12h", "1");
        assertThat(none.enabled()).isFalse();
        assertThat(none.dueByInterval(null, NOW)).as("no tests: never due").isEmpty();
        assertThat(none.dueByErrors(50, "r-1")).isEmpty();
    }

    @Test
    void theIntervalMakesACheckDueWhenItHasPassedAndAtOnceForAHostNeverChecked() {
        HealthPolicy p = policy("boot", "12h", "3");
        assertThat(p.dueByInterval(null, NOW)).contains("the host has never been checked (health_interval 12h)");
        assertThat(p.dueByInterval(NOW.minus(Duration.ofHours(12)).plusMillis(1), NOW)).isEmpty();
        assertThat(p.dueByInterval(NOW.minus(Duration.ofHours(12)), NOW))
                .contains("health_interval 12h has passed since the last check");
        assertThat(policy("boot", "0", "3").dueByInterval(null, NOW)).as("0: only on events").isEmpty();
    }

    @Test
    void kErrorOrAbortedRequestsInARowMakeACheckDue() {
        HealthPolicy p = policy("boot", "0", "3");
        assertThat(p.dueByErrors(2, "r-9")).isEmpty();
        assertThat(p.dueByErrors(3, "r-9")).contains("3 requests in a row ended Error or Aborted (the last r-9;"
                + " health_after_errors 3)");
        assertThat(List.of(RequestState.ERROR, RequestState.ABORTED)).allMatch(HealthPolicy::countsAsError);
        assertThat(List.of(RequestState.PASSED, RequestState.FAILED, RequestState.CANCELLED))
                .as("a failed test is the tester's news, not the host's").noneMatch(HealthPolicy::countsAsError);
    }

    @Test
    void aFailedCheckNamesItsIdAndFirstFailingTestOrItsReason() {
        assertThat(HealthPolicy.failure("r-5", RequestState.PASSED, List.of(Map.entry("boot", "pass")), null)).isEmpty();
        assertThat(HealthPolicy.failure("r-5", RequestState.FAILED, List.of(Map.entry("boot", "pass"),
                Map.entry("usb", "fail"), Map.entry("net", "fail")), "3 tests")).contains("health check r-5 ended Failed: test usb fail");
        assertThat(HealthPolicy.failure("r-5", RequestState.ABORTED, List.of(), "its host sent no state for 45 min"))
                .contains("health check r-5 ended Aborted: its host sent no state for 45 min");
    }
}
