package labdrop.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Held polls: bounded per key and in all, each answered exactly once, by its owner, its deadline or its client leaving. */
class HeldPollsTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger total = new AtomicInteger();
    private final List<String> expired = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    HeldPolls<String> polls(int perKey, int max) {
        return new HeldPolls<>(perKey, max, total, () -> timer);
    }

    @Test
    void aKeyHoldsAtMostItsShareAndAllKeysTogetherAtMostTheTotal() {
        HeldPolls<String> hosts = polls(2, 3);
        HeldPolls<String> labs = polls(2, 3);
        Duration wait = Duration.ofMinutes(1);
        assertThat(hosts.hold("sut-a", "1", wait, expired::add)).isPresent();
        assertThat(hosts.hold("sut-a", "2", wait, expired::add)).isPresent();
        assertThat(hosts.hold("sut-a", "3", wait, expired::add)).as("a third for one key").isEmpty();
        assertThat(labs.hold("lab-east", "4", wait, expired::add)).isPresent();
        assertThat(hosts.hold("sut-b", "5", wait, expired::add)).as("the total is shared between registries").isEmpty();
        assertThat(total.get()).isEqualTo(3);
        assertThat(hosts.of("sut-a")).extracting(HeldPolls.Poll::value).containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void aPollIsAnsweredOnceAndLeavesRoomWhenDoneOrCancelled() {
        HeldPolls<String> hosts = polls(1, 10);
        HeldPolls<String>.Poll poll = hosts.hold("sut-a", "seen-1", Duration.ofMinutes(1), expired::add).orElseThrow();
        assertThat(poll.finish()).as("the owner answers it").isTrue();
        assertThat(poll.finish()).as("nobody answers it twice").isFalse();
        assertThat(hosts.of("sut-a")).isEmpty();
        HeldPolls<String>.Poll next = hosts.hold("sut-a", "seen-2", Duration.ofMinutes(1), expired::add).orElseThrow();
        next.cancel();
        assertThat(next.finish()).as("a cancelled poll is not answered").isFalse();
        assertThat(total.get()).isZero();
        assertThat(expired).isEmpty();
    }

    @Test
    void aPollNobodyAnswersGoesToItsDeadlineOnce() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        HeldPolls<String> hosts = polls(2, 10);
        HeldPolls<String>.Poll poll = hosts.hold("sut-a", "seen", Duration.ofMillis(10), v -> {
            expired.add(v);
            done.countDown();
        }).orElseThrow();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(expired).containsExactly("seen");
        assertThat(poll.finish()).as("the deadline took it").isFalse();
        assertThat(hosts.all()).isEmpty();
        assertThat(total.get()).isZero();
    }
}
