package labdrop.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import labdrop.testing.TestClock;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    final TestClock clock = TestClock.at("2026-12-03T10:00:00Z");
    final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void fiveFailuresAreFreeThenTheWaitDoublesUpToAMinute() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(throttle.retryAfter("admin", "10.0.0.1")).isZero();
            throttle.failed("admin", "10.0.0.1");
        }
        assertThat(throttle.retryAfter("admin", "10.0.0.1")).isZero();
        throttle.failed("admin", "10.0.0.1");
        assertThat(throttle.retryAfter("admin", "10.0.0.1")).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        throttle.failed("admin", "10.0.0.1");
        assertThat(throttle.retryAfter("admin", "10.0.0.1")).isEqualTo(Duration.ofSeconds(2));
        for (int i = 0; i < 20; i++) {
            throttle.failed("admin", "10.0.0.1");
        }
        assertThat(throttle.retryAfter("admin", "10.0.0.1")).isEqualTo(LoginThrottle.LONGEST_WAIT);
    }

    @Test
    void theAccountIsSlowedFromEveryAddressAndTheAddressForEveryAccount() {
        for (int i = 0; i < 6; i++) {
            throttle.failed("admin", "10.0.0." + i);
        }
        assertThat(throttle.retryAfter("admin", "10.9.9.9")).as("the account, from a new address").isPositive();
        for (int i = 0; i < 6; i++) {
            throttle.failed("user" + i, "10.0.0.7");
        }
        assertThat(throttle.retryAfter("bob", "10.0.0.7")).as("the address, for a new account").isPositive();
        assertThat(throttle.retryAfter("bob", "10.9.9.9")).isZero();
    }

    @Test
    void aSuccessOrFifteenQuietMinutesClearTheCount() {
        for (int i = 0; i < 8; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        throttle.succeeded("alice", "10.0.0.1");
        assertThat(throttle.retryAfter("alice", "10.0.0.1")).isZero();
        for (int i = 0; i < 8; i++) {
            throttle.failed("carl", "10.0.0.2");
        }
        clock.advance(LoginThrottle.FORGET_AFTER.plusSeconds(1));
        assertThat(throttle.retryAfter("carl", "10.0.0.2")).isZero();
        throttle.failed("carl", "10.0.0.2");
        assertThat(throttle.retryAfter("carl", "10.0.0.2")).as("counting starts again").isZero();
    }
}
