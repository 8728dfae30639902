package labdrop.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import labdrop.host.HostState;
import org.junit.jupiter.api.Test;

class QueueRulesTest {

    private static Request filed(long number, Priority priority) {
        return inQueue(number, priority, number, RequestState.QUEUED);
    }

    static Request inQueue(long number, Priority priority, long queueRank, RequestState state) {
        return new Request(number, "sut-01", "bob", Instant.parse("2026-01-01T10:00:00Z").plusSeconds(number), priority,
                state, null, false, null, null, null, null, null, List.of(TestSpec.parse("dbench")), List.of(), null,
                queueRank, null, null, false, 0);
    }

    /** A queued request for a pool, by {@code requester}. */
    static Request forPool(long number, Priority priority, String requester, Pool pool) {
        return new Request(number, null, requester, Instant.parse("2026-01-01T10:00:00Z").plusSeconds(number), priority,
                RequestState.QUEUED, null, false, null, null, null, null, null, List.of(TestSpec.parse("dbench")),
                List.of(), null, number, pool, null, false, 0);
    }

    @Test
    void aPoolRequestGoesToAHostOfItsTypeWithEveryLabelItAsksFor() {
        Request usb = forPool(1, Priority.NORMAL, "bob", new Pool("rpi4", List.of("usb3")));
        assertThat(QueueRules.serves("pi-1", "rpi4", "usb3, wifi", null, false, usb)).isTrue();
        assertThat(QueueRules.serves("pi-2", "rpi4", "wifi", null, false, usb)).as("a label missing").isFalse();
        assertThat(QueueRules.serves("x-1", "x86", "usb3", null, false, usb)).as("another type").isFalse();
        assertThat(QueueRules.serves("pi-3", "rpi4", "", null, false, forPool(2, Priority.NORMAL, "bob",
                new Pool("rpi4", List.of())))).as("no labels asked: any host of the type").isTrue();
        assertThat(QueueRules.serves("pi-1", "rpi4", "usb3", null, false, filed(3, Priority.NORMAL)))
                .as("a request for one host is no pool request").isFalse();
    }

    @Test
    void anOwnerOnlyHostTakesOnlyItsOwnersPoolWork() {
        Pool pool = new Pool("rpi4", List.of());
        assertThat(QueueRules.serves("pi-1", "rpi4", "", "olive", true, forPool(1, Priority.NORMAL, "bob", pool))).isFalse();
        assertThat(QueueRules.serves("pi-1", "rpi4", "", "olive", true, forPool(2, Priority.NORMAL, "olive", pool))).isTrue();
        assertThat(QueueRules.serves("pi-1", "rpi4", "", "olive", false, forPool(3, Priority.NORMAL, "bob", pool))).isTrue();
    }

    @Test
    void aHostPlacesItsOwnQueueAndThePoolWorkItServesByPriorityThenFilingOrder() {
        Pool pool = new Pool("rpi4", List.of("usb3"));
        List<Request> own = List.of(filed(5, Priority.NORMAL), filed(9, Priority.HIGH));
        List<Request> poolQueue = List.of(forPool(2, Priority.NORMAL, "bob", pool),
                forPool(3, Priority.URGENT, "bob", new Pool("rpi4", List.of("wifi"))), forPool(4, Priority.HIGH, "bob", pool));
        assertThat(QueueRules.next("pi-1", "rpi4", "usb3", null, false, own, poolQueue, Map.of(), Set.of()))
                .as("high priority first (the urgent one needs wifi), then the one filed first: the pool's r-4 before"
                        + " the host's r-9").map(Request::number).hasValue(4L);
        assertThat(QueueRules.next("pi-1", "rpi4", "usb3", null, false, List.of(filed(1, Priority.NORMAL)),
                List.of(poolQueue.get(0)), Map.of(), Set.of())).as("same priority: the host's r-1 was filed before the"
                + " pool's r-2").map(Request::number).hasValue(1L);
        assertThat(QueueRules.next("pi-1", "rpi4", "usb3", null, false, List.of(), List.of(), Map.of(), Set.of())).isEmpty();
    }

    @Test
    void withinAPriorityThePoolServesTheRequesterWhoWaitedLongestSinceTheirLastPlacement() {
        Pool pool = new Pool("rpi4", List.of());
        List<Request> queue = new ArrayList<>();
        for (long n = 1; n <= 100; n++) {
            queue.add(forPool(n, Priority.NORMAL, "ci-bot", pool));
        }
        queue.add(forPool(101, Priority.NORMAL, "alice", pool));
        queue.add(forPool(102, Priority.NORMAL, "alice", pool));
        Instant earlier = Instant.parse("2026-01-01T09:00:00Z");
        Request next = QueueRules.next("pi-1", "rpi4", "", null, false, List.of(), queue,
                Map.of("ci-bot", earlier.plusSeconds(60)), Set.of()).orElseThrow();
        assertThat(next.number()).as("alice was never placed from the pool: her oldest goes first").isEqualTo(101);
        next = QueueRules.next("pi-1", "rpi4", "", null, false, List.of(), queue,
                Map.of("ci-bot", earlier.plusSeconds(60), "alice", earlier.plusSeconds(120)), Set.of()).orElseThrow();
        assertThat(next.number()).as("ci-bot has waited longer now: its oldest").isEqualTo(1);
        queue.add(forPool(103, Priority.HIGH, "ci-bot", pool));
        assertThat(QueueRules.next("pi-1", "rpi4", "", null, false, List.of(), queue, Map.of(), Set.of()).orElseThrow().number())
                .as("priorities still come first").isEqualTo(103);
    }

    @Test
    void aPoolNamesAValidTypeAndAtMostTwentyValidLabelsAndReadsAsTypePlusLabels() {
        assertThat(new Pool("rpi4", List.of("wifi", "usb3", "wifi")).label()).isEqualTo("rpi4+usb3+wifi");
        assertThat(Pool.of("rpi4", "usb3, wifi").labels()).containsExactly("usb3", "wifi");
        assertThatThrownBy(() -> new Pool("rpi4", IntStream.range(0, 21).mapToObj(i -> "l" + i).toList()))
                .hasMessageContaining("at most 20");
        assertThatThrownBy(() -> new Pool("../etc", List.of())).hasMessageContaining("host type");
        assertThatThrownBy(() -> new Pool("rpi4", List.of("USB 3"))).hasMessageContaining("label");
    }

    /** Numbers are issued in filing order, so a queue never moved is in filing order within a priority. */
    @Test
    void ordersByPriorityThenFilingOrderThenNumber() {
        List<Request> queue = new ArrayList<>(List.of(
                filed(1, Priority.NORMAL),
                filed(2, Priority.LOW),
                filed(3, Priority.URGENT),
                filed(4, Priority.NORMAL),
                filed(5, Priority.NORMAL)));
        queue.sort(QueueRules.PLACEMENT_ORDER);
        assertThat(queue).extracting(Request::number).containsExactly(3L, 1L, 4L, 5L, 2L);
    }

    @Test
    void aMovedRequestTakesItsNewPlaceAmongItsPriority() {
        List<Request> queue = new ArrayList<>(List.of(inQueue(1, Priority.NORMAL, 1, RequestState.QUEUED),
                inQueue(2, Priority.NORMAL, 2, RequestState.QUEUED), inQueue(3, Priority.NORMAL, 0, RequestState.QUEUED),
                inQueue(4, Priority.HIGH, 4, RequestState.QUEUED)));
        queue.sort(QueueRules.PLACEMENT_ORDER);
        assertThat(queue).extracting(Request::number).containsExactly(4L, 3L, 1L, 2L);
    }

    @Test
    void anAvailableHostTakesTheHeadOfItsQueueAndBecomesPending() {
        List<Request> queue = List.of(inQueue(7, Priority.NORMAL, 7, RequestState.QUEUED),
                inQueue(9, Priority.URGENT, 9, RequestState.QUEUED), inQueue(8, Priority.NORMAL, 8, RequestState.QUEUED));
        QueueRules.Release release = QueueRules.release(HostState.AVAILABLE, HostState.AVAILABLE, false, queue);
        assertThat(release.placed()).get().extracting(Request::number).isEqualTo(9L);
        assertThat(release.hostState()).isEqualTo(HostState.PENDING);
        assertThat(QueueRules.release(HostState.AVAILABLE, null, false, List.of()))
                .isEqualTo(new QueueRules.Release(HostState.AVAILABLE, Optional.empty()));
    }

    @Test
    void everyOtherHostStateHoldsTheQueue() {
        List<Request> queue = List.of(inQueue(7, Priority.URGENT, 7, RequestState.QUEUED));
        for (HostState held : List.of(HostState.MAINT, HostState.RETIRED, HostState.LOST, HostState.OUTDATED,
                HostState.INSTALL, HostState.RUNNING, HostState.REBOOTING)) {
            assertThat(QueueRules.release(held, HostState.AVAILABLE, false, queue))
                    .as(held.label()).isEqualTo(new QueueRules.Release(held, Optional.empty()));
        }
    }

    @Test
    void aHostWithARequestPlacedKeepsItAndItsQueueWaits() {
        List<Request> queue = List.of(inQueue(7, Priority.URGENT, 7, RequestState.QUEUED));
        assertThat(QueueRules.release(HostState.PENDING, HostState.AVAILABLE, true, queue))
                .isEqualTo(new QueueRules.Release(HostState.PENDING, Optional.empty()));
    }

    @Test
    void pendingWithNothingPlacedSettlesToWhatTheSutLastReported() {
        List<Request> queue = List.of(inQueue(7, Priority.NORMAL, 7, RequestState.QUEUED));
        assertThat(QueueRules.release(HostState.PENDING, HostState.RUNNING, false, queue))
                .isEqualTo(new QueueRules.Release(HostState.RUNNING, Optional.empty()));
        assertThat(QueueRules.release(HostState.PENDING, null, false, queue).placed()).get()
                .extracting(Request::number).isEqualTo(7L);
        assertThat(QueueRules.release(HostState.PENDING, HostState.AVAILABLE, false, List.of()).hostState())
                .isEqualTo(HostState.AVAILABLE);
    }

    @Test
    void ownerOnlyHostRejectsOthersWithTheReasonAndAcceptsItsOwner() {
        assertThat(QueueRules.rejection("sut-01", "alice", true, "bob")).get().asString()
                .contains("host 'sut-01' is owner-only").contains("'alice'");
        assertThat(QueueRules.rejection("sut-01", "alice", true, "alice")).isEmpty();
        assertThat(QueueRules.rejection("sut-01", "alice", false, "bob")).isEmpty();
    }

    @Test
    void abortedIsInfrastructureAndWinsOverAFailingTest() {
        assertThat(QueueRules.outcome(List.of("pass", "skipped"))).isEqualTo(RequestState.PASSED);
        assertThat(QueueRules.outcome(List.of("pass", "fail"))).isEqualTo(RequestState.FAILED);
        assertThat(QueueRules.outcome(List.of("fail", "error"))).isEqualTo(RequestState.ERROR);
        assertThat(QueueRules.outcome(List.of("fail", "aborted"))).isEqualTo(RequestState.ABORTED);
    }

    @Test
    void parsesTestsInTheCliForm() {
        assertThat(TestSpec.parse("dbench:-t 60  -x").args()).containsExactly("-t", "60", "-x");
        assertThat(TestSpec.parse("dbench").args()).isEmpty();
    }

    @Test
    void aHostsHealthCheckComesBeforeAnyOtherWorkWhateverItsPriority() {
        Request urgentPool = forPool(1, Priority.URGENT, "carol", new Pool("rpi4", List.of()));
        Request urgentOwn = filed(2, Priority.URGENT);
        Request check = new Request(3, "sut-01", "lab", Instant.parse("2026-01-01T10:00:03Z"), Priority.LOW,
                RequestState.QUEUED, null, false, null, null, null, null, null, List.of(TestSpec.parse("boot")), List.of(),
                null, 3, null, null, true, 0);
        assertThat(QueueRules.next("sut-01", "rpi4", "", null, false, List.of(urgentOwn, check), List.of(urgentPool),
                Map.of(), Set.of())).contains(check);
        assertThat(QueueRules.release(HostState.AVAILABLE, null, false, List.of(urgentOwn, check)).placed()).contains(check);
    }
}
