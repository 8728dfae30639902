package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the daemon starts afresh: at a poll with nothing to do, idle long enough after a run, over the cap; never mid-run. */
class IdleMemoryTest {
    static final long MIB = 1 << 20;
    static final Instant T0 = Instant.parse("2026-12-08T00:00:00Z");

    static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void aPollWithNothingToDoIdleLongEnoughAfterARunStartsAfreshWhenOverTheCap() {
        AtomicLong resident = new AtomicLong(70 * MIB);
        IdleMemory idle = new IdleMemory(64, Duration.ofMinutes(10), () -> OptionalLong.of(resident.get()));

        assertThat(idle.afterPoll(Agent.Outcome.QUIET, at(0))).as("no run yet: what it idles at is its start's").isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.RAN, at(10))).as("a run is never cut short").isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.QUIET, at(60))).as("requests in a row keep the warm JVM").isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.RAN, at(300))).isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.QUIET, at(899))).as("ten minutes from the last run, not the first").isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.WAITING, at(900))).isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.REBOOTING, at(900))).isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.QUIET, at(900))).isTrue();
        assertThat(idle.lastResidentMib()).isEqualTo(70.0);
        assertThat(idle.afterPoll(Agent.Outcome.IDLE, at(901))).as("a drop with nothing for it is idle too").isTrue();

        resident.set(60 * MIB);
        assertThat(idle.afterPoll(Agent.Outcome.QUIET, at(902))).as("under the cap").isFalse();
    }

    @Test
    void zeroOrNoReadingNeverStartsAfresh() {
        IdleMemory off = new IdleMemory(0, Duration.ZERO, () -> OptionalLong.of(500 * MIB));
        off.afterPoll(Agent.Outcome.RAN, at(0));
        assertThat(off.watching()).isFalse();
        assertThat(off.afterPoll(Agent.Outcome.QUIET, at(3600))).isFalse();

        IdleMemory unknown = new IdleMemory(64, Duration.ZERO, OptionalLong::empty);
        unknown.afterPoll(Agent.Outcome.RAN, at(0));
        assertThat(unknown.afterPoll(Agent.Outcome.QUIET, at(3600))).isFalse();
    }

    @Test
    void residentMemoryIsReadFromProcStatus(@TempDir Path dir) throws Exception {
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nVmPeak:\t 3000000 kB\nVmRSS:\t   70048 kB\nThreads:\t19\n");
        assertThat(IdleMemory.resident(status)).hasValue(70048L * 1024);
        assertThat(IdleMemory.resident(dir.resolve("missing"))).isEmpty();
        assertThat(IdleMemory.resident(Path.of("/proc/self/status")).getAsLong()).as("this JVM").isGreaterThan(MIB);
    }
}
