package labdrop.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void waitsDoubleFromTheFirstAndAnotherAttemptFollowsUntilTheLast() throws Exception {
        List<Duration> slept = new ArrayList<>();
        Backoff b = new Backoff(3, Duration.ofMillis(100), slept::add, null);
        assertThat(b.another(1)).isTrue();
        assertThat(b.another(2)).isTrue();
        assertThat(b.another(3)).isFalse();
        b.pause(1);
        b.pause(2);
        b.pause(3);
        assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void jitterAddsUpToHalfAgainSoSutsDoNotRetryInLockStep() {
        Backoff b = new Backoff(5, Duration.ofSeconds(1), Backoff.THREAD_SLEEP, new Random(7));
        for (int failed = 1; failed <= 4; failed++) {
            long base = 1000L << (failed - 1);
            assertThat(b.waitAfter(failed).toMillis()).isBetween(base, base + base / 2);
        }
    }

    @Test
    void atLeastOneAttempt() {
        assertThatThrownBy(() -> new Backoff(0, Duration.ofSeconds(1), Backoff.THREAD_SLEEP, null))
                .hasMessageContaining("at least 1");
    }
}
