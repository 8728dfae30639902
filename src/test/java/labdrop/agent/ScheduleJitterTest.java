package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The wait before each scheduled poll, drawn from the agent's injected random source. */
class ScheduleJitterTest {
    @Test
    void waitsAreSpreadEvenlyOverTheWholeJitter() {
        Random random = new Random(42);
        Duration jitter = Duration.ofSeconds(30);
        int[] tenths = new int[10];
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 10_000; i++) {
            long ms = AgentDaemon.waitBeforePoll(random, jitter).toMillis();
            assertThat(ms).isBetween(0L, 29_999L);
            tenths[(int) (ms / 3_000)]++;
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertThat(min).as("shortest of 10,000 waits").isLessThan(100);
        assertThat(max).as("longest of 10,000 waits").isGreaterThan(29_900);
        for (int count : tenths) {
            assertThat(count).as("waits in each 3 s tenth of the jitter").isBetween(900, 1_100);
        }
    }

    @Test
    void theSameSeedGivesTheSameWaitsAndNoJitterNoWait() {
        Duration jitter = Duration.ofSeconds(30);
        Random a = new Random(7);
        Random b = new Random(7);
        for (int i = 0; i < 100; i++) {
            assertThat(AgentDaemon.waitBeforePoll(a, jitter)).isEqualTo(AgentDaemon.waitBeforePoll(b, jitter));
        }
        assertThat(AgentDaemon.waitBeforePoll(new Random(1), Duration.ZERO)).isZero();
    }
}
