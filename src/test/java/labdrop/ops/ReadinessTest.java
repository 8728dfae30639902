package labdrop.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import labdrop.testing.TestClock;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    final TestClock clock = TestClock.at("2026-12-05T10:00:00Z");

    @Test
    void readyOnlyWhenEveryProbePassesAndAFailureIsNamedWithItsReason() {
        try (Readiness r = new Readiness(Duration.ofSeconds(1), clock)
                .add("store", () -> null)
                .add("drop", () -> "cannot write into the drop")
                .add("disk", () -> {
                    throw new IllegalStateException("no such filesystem");
                })) {
            Readiness.Report report = r.report();
            assertThat(report.ready()).isFalse();
            assertThat(report.checks()).extracting(Readiness.Check::name).containsExactly("store", "drop", "disk");
            assertThat(report.failing()).extracting(Readiness.Check::name).containsExactly("drop", "disk");
            assertThat(report.failing()).extracting(Readiness.Check::detail)
                    .containsExactly("cannot write into the drop", "no such filesystem");
            assertThat(report.checks().get(0).detail()).isEqualTo("ok");
        }
    }

    @Test
    void aHungProbeFailsAfterTheTimeoutWithoutHoldingUpTheOthersOrPilingUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (Readiness r = new Readiness(Duration.ofMillis(200), clock)
                .add("store", () -> {
                    started.incrementAndGet();
                    release.await();
                    return null;
                })
                .add("drop", () -> null)) {
            Readiness.Report hung = r.report();
            assertThat(hung.failing()).extracting(Readiness.Check::detail).containsExactly("no answer within 200 ms");
            assertThat(hung.checks().get(1).ok()).isTrue();
            clock.advance(Duration.ofSeconds(2));
            r.report();
            assertThat(started.get()).as("the next report waits on the same probe").isEqualTo(1);
            release.countDown();
            clock.advance(Duration.ofSeconds(2));
            assertThat(r.report().ready()).isTrue();
        }
    }

    @Test
    void aReportIsReusedForASecondSoAFloodCostsOneRoundOfProbes() {
        AtomicInteger asked = new AtomicInteger();
        try (Readiness r = new Readiness(Duration.ofSeconds(1), clock).add("store", () -> {
            asked.incrementAndGet();
            return null;
        })) {
            for (int i = 0; i < 100; i++) {
                r.report();
            }
            assertThat(asked.get()).isEqualTo(1);
            clock.advance(Duration.ofMillis(1001));
            r.report();
            assertThat(asked.get()).isEqualTo(2);
        }
    }
}
