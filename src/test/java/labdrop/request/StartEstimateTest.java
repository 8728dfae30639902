package labdrop.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartEstimateTest {
    static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    static Duration min(long m) {
        return Duration.ofMinutes(m);
    }

    @Test
    void aFreeHostStartsTheRequestNow() {
        assertThat(StartEstimate.start(NOW, List.of(NOW.minusSeconds(60)), List.of())).isEqualTo(NOW);
    }

    @Test
    void oneHostRunsWhatIsAheadOneAfterAnother() {
        assertThat(StartEstimate.start(NOW, List.of(NOW.plus(min(5))), List.of(min(10), min(20))))
                .isEqualTo(NOW.plus(min(35)));
    }

    @Test
    void severalHostsShareWhatIsAheadEachTakingTheNextWhenFree() {
        // Hosts free at +0 and +5; ahead: 10, 10, 10 minutes. A: 0-10, B: 5-15, A: 10-20 → next free: B at 15.
        assertThat(StartEstimate.start(NOW, List.of(NOW, NOW.plus(min(5))), List.of(min(10), min(10), min(10))))
                .isEqualTo(NOW.plus(min(15)));
    }

    @Test
    void noHostMeansNoEstimate() {
        assertThat(StartEstimate.start(NOW, List.of(), List.of(min(1)))).isNull();
    }

    @Test
    void theExpectedRunIsTheMedianOfTheSameTestsElseOfTheTypeElseTenMinutes() {
        assertThat(StartEstimate.expected(List.of(min(3), min(30), min(4)), List.of(min(99)))).isEqualTo(min(4));
        assertThat(StartEstimate.expected(List.of(), List.of(min(7), min(9)))).isEqualTo(min(9));
        assertThat(StartEstimate.expected(List.of(), List.of())).isEqualTo(StartEstimate.UNKNOWN_RUN);
    }
}
