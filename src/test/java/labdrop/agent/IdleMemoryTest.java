package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the daemon starts afresh: at the first poll with nothing to do after a run, over the cap; never mid-run. */
class IdleMemoryTest {
    static final long MIB = 1 << 20;

    @Test
    void theFirstPollWithNothingToDoAfterARunStartsAfreshWhenOverTheCap() {
        AtomicLong resident = new AtomicLong(70 * MIB);
        IdleMemory idle = new IdleMemory(64, () -> OptionalLong.of(resident.get()));

        assertThat(idle.afterPoll(Agent.Outcome.QUIET)).as("no run yet: what it idles at is its start's").isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.RAN)).as("a run is never cut short").isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.RAN)).as("more work was waiting").isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.WAITING)).isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.REBOOTING)).isFalse();
        assertThat(idle.afterPoll(Agent.Outcome.QUIET)).isTrue();
        assertThat(idle.lastResidentMib()).isEqualTo(70.0);
        assertThat(idle.afterPoll(Agent.Outcome.IDLE)).as("a drop with nothing for it is idle too").isTrue();

        resident.set(60 * MIB);
        assertThat(idle.afterPoll(Agent.Outcome.QUIET)).as("under the cap").isFalse();
    }

    @Test
    void zeroOrNoReadingNeverStartsAfresh() {
        IdleMemory off = new IdleMemory(0, () -> OptionalLong.of(500 * MIB));
        off.afterPoll(Agent.Outcome.RAN);
        assertThat(off.watching()).isFalse();
        assertThat(off.afterPoll(Agent.Outcome.QUIET)).isFalse();

        IdleMemory unknown = new IdleMemory(64, OptionalLong::empty);
        unknown.afterPoll(Agent.Outcome.RAN);
        assertThat(unknown.afterPoll(Agent.Outcome.QUIET)).isFalse();
    }

    @Test
    void residentMemoryIsReadFromProcStatus(@TempDir Path dir) throws Exception {
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nVmPeak:\t 3000000 kB\nVmRSS:\t   70048 kB\nThreads:\t19\n");
        assertThat(IdleMemory.resident(status)).hasValue(70048L * 1024);
        assertThat(IdleMemory.resident(dir.resolve("missing"))).isEmpty();
        assertThat(IdleMemory.resident(Path.of("/proc/self/status")).getAsLong()).as("this JVM").isGreaterThan(MIB);
    }
}
