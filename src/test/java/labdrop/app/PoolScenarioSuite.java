package labdrop.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import labdrop.error.ConflictException;
import labdrop.host.HostState;
import labdrop.queue.Queue;
import labdrop.request.Job;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.HostRows;
import labdrop.store.RequestRows;
import labdrop.user.Role;
import org.junit.jupiter.api.Test;

/**
 * Pools against a real server: a request names a host type and labels, and goes to a free,
 * allowed host of the pool. Run once per store (H2, PostgreSQL).
 */
abstract class PoolScenarioSuite extends LabPerStore {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Agents older than 0.1.0 (what {@link Sut} reports) are Outdated. */
    @Override
    Map<String, String> settings() {
        return Map.of("LABDROP_AGENT_MIN_VERSION", "0.1.0");
    }

    @Test
    void aPoolRequestGoesToTheFreeMatchingHostAndOtherwiseWaitsForTheFirstThatFrees() throws Exception {
        lab.addTyped("pi-1", "rpi4", "usb3,wifi", null, false);
        lab.addTyped("pi-2", "rpi4", "wifi", null, false);
        lab.addActive("x86-1");
        Request busy = lab.file("pi-1", "bob", Priority.NORMAL);
        assertThat(busy.state()).isEqualTo(RequestState.PLACED);

        Request any = lab.filePool("rpi4", List.of(), "bob", Priority.NORMAL);
        assertThat(any.state()).isEqualTo(RequestState.PLACED);
        assertThat(any.host()).as("the one free host of the type").isEqualTo("pi-2");
        assertThat(lab.sut("pi-2").current()).containsExactly(any.id() + ".xml");

        Request usb = lab.filePool("rpi4", List.of("usb3"), "carol", Priority.NORMAL);
        Request waiting = lab.filePool("rpi4", List.of(), "dave", Priority.NORMAL);
        assertThat(List.of(usb.state(), waiting.state())).containsOnly(RequestState.QUEUED);
        assertThat(usb.host()).as("no host until placed").isNull();
        Instant now = lab.s.lab().now();
        assertThat(lab.s.estimates().predictedStart(lab.request(waiting.id()))).as("a queued request's expected start")
                .isNotNull().isAfterOrEqualTo(now.minusSeconds(1));
        assertThat(lab.s.estimates().predictedStart(lab.request(any.id()))).as("a placed request has none").isNull();

        lab.sut("pi-2").complete(any.id());
        await().atMost(WAIT).until(() -> lab.request(waiting.id()).state() == RequestState.PLACED);
        assertThat(lab.request(waiting.id()).host()).as("labels narrow: only pi-1 has usb3, so pi-2 takes the next")
                .isEqualTo("pi-2");
        assertThat(lab.request(usb.id()).state()).isEqualTo(RequestState.QUEUED);

        lab.sut("pi-1").complete(busy.id());
        await().atMost(WAIT).until(() -> lab.request(usb.id()).state() == RequestState.PLACED);
        assertThat(lab.request(usb.id()).host()).isEqualTo("pi-1");
        await().atMost(WAIT).until(() -> lab.sut("pi-1").current().equals(List.of(usb.id() + ".xml")));
        assertThat(lab.s.desk().events(lab.request(usb.id()))).extracting(RequestRows.Event::note)
                .contains("placed on pi-1 from pool rpi4+usb3");
        assertThat(lab.sut("x86-1").current()).as("another type never takes rpi4 work").isEmpty();
    }

    @Test
    void aPoolSkipsHostsInMaintRetiredOutdatedOrOwnedByOthersAndAnOwnerOnlyHostTakesItsOwnersWork() throws Exception {
        lab.addTyped("pi-old", "rpi4", "", null, false);
        lab.sut("pi-old").stateOfVersion("Available", "0.0.9");
        await().atMost(WAIT).until(() -> lab.host("pi-old").state() == HostState.OUTDATED);
        lab.addTyped("pi-maint", "rpi4", "", null, false);
        lab.s.hosts().maint("pi-maint");
        lab.addTyped("pi-retired", "rpi4", "", null, false);
        lab.s.hosts().retire("pi-retired", "admin");
        lab.addTyped("pi-olive", "rpi4", "", "olive", true);
        lab.addTyped("pi-free", "rpi4", "", null, false);

        Request bob = lab.filePool("rpi4", List.of(), "bob", Priority.NORMAL);
        assertThat(bob.host()).isEqualTo("pi-free");
        Request bob2 = lab.filePool("rpi4", List.of(), "bob", Priority.NORMAL);
        assertThat(bob2.state()).as("the owner-only host does not take bob's work").isEqualTo(RequestState.QUEUED);
        Request olive = lab.filePool("rpi4", List.of(), "olive", Priority.NORMAL);
        assertThat(olive.host()).as("its owner's work").isEqualTo("pi-olive");

        lab.s.hosts().activate("pi-maint");
        await().atMost(WAIT).until(() -> lab.request(bob2.id()).state() == RequestState.PLACED);
        assertThat(lab.request(bob2.id()).host()).as("a host leaving Maint takes pool work").isEqualTo("pi-maint");
        assertThat(lab.sut("pi-retired").current()).isEmpty();
        assertThat(lab.sut("pi-old").current()).as("an Outdated agent's host takes no pool work").isEmpty();
    }

    @Test
    void aPoolNoHostCanEverServeIsRefusedAtFilingWithTheReason() throws Exception {
        lab.addTyped("pi-1", "rpi4", "wifi", null, false);
        lab.addTyped("pi-2", "rpi4", "", "olive", true);
        lab.addTyped("bbb-1", "beaglebone", "", null, false);
        lab.s.hosts().retire("bbb-1", "admin");

        assertThatThrownBy(() -> lab.filePool("jetson", List.of(), "bob", Priority.NORMAL))
                .isInstanceOf(ConflictException.class).hasMessageContaining("no host has type 'jetson'");
        assertThatThrownBy(() -> lab.filePool("rpi4", List.of("usb3"), "bob", Priority.NORMAL))
                .isInstanceOf(ConflictException.class).hasMessageContaining("no host of type 'rpi4' has the labels usb3")
                .hasMessageContaining("pi-1 [wifi]");
        assertThatThrownBy(() -> lab.filePool("beaglebone", List.of(), "bob", Priority.NORMAL))
                .isInstanceOf(ConflictException.class).hasMessageContaining("every host of pool beaglebone is retired");
        lab.s.hosts().retire("pi-1", "admin");
        assertThatThrownBy(() -> lab.filePool("rpi4", List.of(), "bob", Priority.NORMAL))
                .isInstanceOf(ConflictException.class).hasMessageContaining("owner-only for another user than 'bob'");
        assertThat(lab.s.desk().list(null, null, 10)).as("nothing was stored").isEmpty();
    }

    @Test
    void aQueuedPoolRequestCanBeCancelledButNotMovedWithinAHostsQueue() throws Exception {
        lab.addTyped("pi-1", "rpi4", "", null, false);
        Request first = lab.filePool("rpi4", List.of(), "bob", Priority.NORMAL);
        Request queued = lab.filePool("rpi4", List.of(), "bob", Priority.NORMAL);
        assertThatThrownBy(() -> lab.s.desk().move(queued.id(), "top", "bob")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("waits in pool rpi4");
        assertThat(lab.s.desk().cancel(queued.id(), "bob").state()).isEqualTo(RequestState.CANCELLED);
        lab.sut("pi-1").complete(first.id());
        await().atMost(WAIT).until(() -> lab.request(first.id()).state() == RequestState.PASSED);
        assertThat(lab.request(queued.id()).host()).as("a cancelled pool request is never placed").isNull();
        await().atMost(WAIT).until(() -> lab.sut("pi-1").current().isEmpty());
        assertThat(lab.request(queued.id()).state()).isEqualTo(RequestState.CANCELLED);
    }

    @Test
    void aJobOfNRunsOnNDistinctHostsAndAllCoversEveryActiveHostOfThePool() throws Exception {
        for (String name : List.of("pi-1", "pi-2", "pi-3", "pi-4")) {
            lab.addTyped(name, "rpi4", "", null, false);
        }
        lab.s.hosts().maint("pi-4");
        Job three = lab.s.desk().fileJob(poolSpec("bob"), 3, false);
        assertThat(three.id()).isEqualTo("j-1");
        assertThat(three.members()).extracting(Request::state).containsOnly(RequestState.PLACED);
        assertThat(three.members()).extracting(Request::host).doesNotHaveDuplicates().doesNotContain("pi-4");
        assertThat(three.state()).isEqualTo("Running");
        assertThatThrownBy(() -> lab.s.desk().fileJob(poolSpec("bob"), 5, false)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("pool rpi4 has 4 hosts that can take your work")
                .hasMessageContaining("ask for --hosts 4 or fewer");

        // Two members, one host free: the second waits for another host, never the first's.
        Job two = lab.s.desk().fileJob(poolSpec("carol"), 2, false);
        assertThat(two.members()).extracting(Request::state).containsOnly(RequestState.QUEUED);
        Request onPi1 = three.members().stream().filter(r -> r.host().equals("pi-1")).findFirst().orElseThrow();
        lab.sut("pi-1").complete(onPi1.id());
        await().atMost(WAIT).until(() -> lab.s.desk().findJob(two.id()).members().stream()
                .anyMatch(r -> r.state() == RequestState.PLACED));
        Request first = lab.s.desk().findJob(two.id()).members().stream().filter(r -> r.state() == RequestState.PLACED)
                .findFirst().orElseThrow();
        assertThat(first.host()).isEqualTo("pi-1");
        lab.sut("pi-1").complete(first.id());
        await().atMost(WAIT).until(() -> lab.request(first.id()).state() == RequestState.PASSED);
        assertThat(lab.s.desk().findJob(two.id()).members()).as("pi-1 already ran a member of this job")
                .filteredOn(r -> r.state() == RequestState.QUEUED).hasSize(1);
        Request onPi2 = three.members().stream().filter(r -> r.host().equals("pi-2")).findFirst().orElseThrow();
        lab.sut("pi-2").complete(onPi2.id());
        await().atMost(WAIT).until(() -> lab.s.desk().findJob(two.id()).members().stream()
                .filter(r -> r.state() != RequestState.QUEUED).count() == 2);
        assertThat(lab.s.desk().findJob(two.id()).members()).extracting(Request::host)
                .containsExactlyInAnyOrder("pi-1", "pi-2");

        Job all = lab.s.desk().fileJob(poolSpec("dave"), null, true);
        assertThat(all.members()).extracting(Request::host).as("every active host of the pool, not the one in Maint")
                .containsExactlyInAnyOrder("pi-1", "pi-2", "pi-3");
        Job cancelled = lab.s.desk().cancelJob(all.id(), "dave");
        assertThat(cancelled.members()).extracting(Request::state).containsOnly(RequestState.CANCELLED);
        assertThat(cancelled.state()).isEqualTo("Cancelled");
    }

    @Test
    void aFailedHealthCheckPutsTheHostInMaintWithTheReasonAndPoolWorkGoesToTheOthers() throws Exception {
        lab.healthCheckedType("rpi4", "dbench:--quick", "0", 3);
        lab.addTyped("pi-1", "rpi4", "", null, false);
        lab.addTyped("pi-2", "rpi4", "", null, false);
        assertThat(lab.host("pi-1").health().label()).isEqualTo("unknown");
        Request busy = lab.file("pi-2", "bob", Priority.NORMAL);

        lab.s.hosts().maint("pi-1");
        lab.s.hosts().activate("pi-1");
        Request check = lab.s.desk().list("pi-1", null, 10).get(0);
        assertThat(check.healthCheck()).as("leaving Maint files a health check").isTrue();
        assertThat(check.requester()).isEqualTo("lab");
        assertThat(check.tests()).extracting(TestSpec::packageName).containsExactly("dbench");
        assertThat(check.state()).isEqualTo(RequestState.PLACED);
        assertThat(lab.sut("pi-1").current()).containsExactly(check.id() + ".xml");
        Request carol = lab.filePool("rpi4", List.of(), "carol", Priority.URGENT);
        assertThat(carol.state()).as("no host of the pool is free: pi-1 is being checked, pi-2 busy")
                .isEqualTo(RequestState.QUEUED);

        lab.sut("pi-1").complete(check.id(), "fail");
        await().atMost(WAIT).until(() -> lab.host("pi-1").state() == HostState.MAINT);
        assertThat(lab.host("pi-1").health().label()).isEqualTo("unhealthy");
        assertThat(lab.host("pi-1").health().reason()).isEqualTo("health check " + check.id() + " ended Failed: test t1 fail");
        assertThat(lab.request(carol.id()).state()).as("an unhealthy host takes no pool work").isEqualTo(RequestState.QUEUED);

        lab.sut("pi-2").complete(busy.id());
        await().atMost(WAIT).until(() -> lab.request(carol.id()).state() == RequestState.PLACED);
        assertThat(lab.request(carol.id()).host()).isEqualTo("pi-2");

        Request dave = lab.filePool("rpi4", List.of(), "dave", Priority.URGENT);
        assertThat(dave.state()).isEqualTo(RequestState.QUEUED);
        lab.s.hosts().activate("pi-1");
        Request again = lab.s.desk().list("pi-1", null, 10).get(0);
        assertThat(again.healthCheck()).as("back from Maint, checked before any work").isTrue();
        assertThat(again.state()).isEqualTo(RequestState.PLACED);
        assertThat(lab.request(dave.id()).state()).as("pi-1 runs its check before urgent pool work filed earlier")
                .isEqualTo(RequestState.QUEUED);
        lab.sut("pi-1").complete(again.id(), "pass");
        await().atMost(WAIT).until(() -> lab.request(dave.id()).state() == RequestState.PLACED);
        assertThat(lab.request(dave.id()).host()).as("a healthy host takes pool work again").isEqualTo("pi-1");
        assertThat(lab.host("pi-1").health().label()).isEqualTo("healthy");
        assertThat(lab.host("pi-1").health().reason()).isEqualTo("health check " + again.id() + " passed");
    }

    @Test
    void kFailedRequestsInARowStartAHealthCheckThatRunsBeforeTheQueue() throws Exception {
        lab.healthCheckedType("rpi4", "dbench", "0", 2);
        lab.addTyped("pi-1", "rpi4", "", null, false);
        Request first = lab.file("pi-1", "bob", Priority.NORMAL);
        Request second = lab.file("pi-1", "bob", Priority.NORMAL);
        Request third = lab.file("pi-1", "bob", Priority.URGENT);
        lab.sut("pi-1").complete(first.id(), "error");
        await().atMost(WAIT).until(() -> lab.request(third.id()).state() == RequestState.PLACED);
        lab.sut("pi-1").complete(third.id(), "aborted");
        await().atMost(WAIT).until(() -> lab.request(third.id()).state() == RequestState.ABORTED);
        await().atMost(WAIT).until(() -> lab.s.desk().list("pi-1", RequestState.PLACED, 10).size() == 1);
        Request check = lab.s.desk().list("pi-1", RequestState.PLACED, 10).get(0);
        assertThat(check.healthCheck()).as("2 of pi-1's requests in a row ended Error or Aborted").isTrue();
        assertThat(check.reason()).isEqualTo("health check: 2 requests in a row ended Error or Aborted (the last "
                + third.id() + "; health_after_errors 2)");
        assertThat(lab.request(second.id()).state()).as("the check goes before the queue").isEqualTo(RequestState.QUEUED);

        lab.sut("pi-1").complete(check.id(), "pass");
        await().atMost(WAIT).until(() -> lab.request(second.id()).state() == RequestState.PLACED);
        assertThat(lab.host("pi-1").health().label()).isEqualTo("healthy");
        lab.sut("pi-1").complete(second.id(), "error");
        await().atMost(WAIT).until(() -> lab.request(second.id()).state() == RequestState.ERROR);
        assertThat(lab.s.desk().list("pi-1", null, 10)).filteredOn(Request::healthCheck).as("a pass started the count"
                + " again: one error after it is not two").extracting(Request::id).containsExactly(check.id());
    }

    @Test
    void theIntervalAndAnAdminStartAHealthCheckAndATypeWithoutOneIsRefused() throws Exception {
        lab.healthCheckedType("rpi4", "dbench", "1h", 3);
        lab.addTyped("pi-1", "rpi4", "", null, false);
        await().atMost(WAIT).until(() -> lab.s.desk().list("pi-1", RequestState.PLACED, 10).size() == 1);
        Request first = lab.s.desk().list("pi-1", RequestState.PLACED, 10).get(0);
        assertThat(first.reason()).isEqualTo("health check: the host has never been checked (health_interval 1h)");
        lab.sut("pi-1").complete(first.id());
        await().atMost(WAIT).until(() -> lab.host("pi-1").health().label().equals("healthy"));

        Request now = lab.s.hosts().checkHealth("pi-1", "admin");
        assertThat(now.healthCheck()).isTrue();
        assertThat(now.reason()).isEqualTo("health check: asked by admin");
        assertThat(lab.s.hosts().checkHealth("pi-1", "admin").id()).as("one check at a time").isEqualTo(now.id());
        lab.sut("pi-1").complete(now.id());
        await().atMost(WAIT).until(() -> lab.request(now.id()).state() == RequestState.PASSED);

        lab.clock.advance(Duration.ofMinutes(61));
        await().atMost(WAIT).until(() -> lab.s.desk().list("pi-1", RequestState.PLACED, 10).size() == 1);
        assertThat(lab.s.desk().list("pi-1", RequestState.PLACED, 10).get(0).reason())
                .isEqualTo("health check: health_interval 1h has passed since the last check");

        lab.addActive("plain-1");
        assertThatThrownBy(() -> lab.s.hosts().checkHealth("plain-1", "admin")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("host type 'default' names no health check; set health_check");
        assertThatThrownBy(() -> lab.s.accounts().setAccount("lab", Role.TESTER, "a long password".toCharArray()))
                .as("nobody logs in as the system user").isInstanceOf(ConflictException.class)
                .hasMessageContaining("'lab' is the system user");
    }

    private static RequestSpec poolSpec(String requester) {
        return new RequestSpec(null, requester, List.of(TestSpec.parse("dbench")), Priority.NORMAL, false, null, null,
                null, null, new Pool("rpi4", List.of()));
    }

    @Test
    void oneAccountFilingAHundredRequestsDoesNotStarveAnotherAtTheSamePriority() throws Exception {
        lab.addTyped("pi-1", "rpi4", "", null, false);
        lab.addTyped("pi-2", "rpi4", "", null, false);
        List<Request> a = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            a.add(lab.filePool("rpi4", List.of(), "ci-bot", Priority.NORMAL));
        }
        List<Request> b = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            b.add(lab.filePool("rpi4", List.of(), "alice", Priority.NORMAL));
        }
        assertThat(List.of(a.get(0).state(), a.get(1).state())).containsOnly(RequestState.PLACED);

        Request first = a.get(0);
        lab.sut(first.host()).complete(first.id());
        await().atMost(WAIT).until(() -> lab.request(b.get(0).id()).state() == RequestState.PLACED);
        assertThat(lab.request(a.get(2).id()).state()).as("alice's first goes before ci-bot's third")
                .isEqualTo(RequestState.QUEUED);
        await().atMost(WAIT).until(() -> lab.request(first.id()).state() == RequestState.PASSED);
        assertThat(lab.s.estimates().predictedStart(lab.request(b.get(4).id())))
                .as("estimated from the finished run of the same tests on the type").isNotNull();
        Request second = a.get(1);
        lab.sut(second.host()).complete(second.id());
        await().atMost(WAIT).until(() -> lab.request(a.get(2).id()).state() == RequestState.PLACED);
        assertThat(lab.request(b.get(1).id()).state()).as("then ci-bot, who has waited longer since its last")
                .isEqualTo(RequestState.QUEUED);
    }

    /**
     * Two placers at once over one pool: 1,000 requests filed from two threads onto 20 hosts, then
     * two threads finishing whatever a random host runs and releasing it, until the pool is empty.
     * Every request is placed exactly once, and no host ever holds two requests.
     */
    @Test
    void twoPlacersDrainingOnePoolPlaceEveryRequestExactlyOnceAndNeverTwoOnAHost() throws Exception {
        int hosts = 20;
        int requests = 1_000;
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= hosts; i++) {
            names.add(String.format("pi-%02d", i));
            lab.addTyped(names.get(i - 1), "rpi4", "", null, false);
        }
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> filers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                filers.add(two.submit(() -> {
                    for (int i = 0; i < requests / 2; i++) {
                        lab.filePool("rpi4", List.of(), "bob", Priority.NORMAL);
                    }
                    return null;
                }));
            }
            for (Future<?> f : filers) {
                f.get();
            }
            List<String> doubled = Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> placers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long seed = t;
                placers.add(two.submit(() -> {
                    Random random = new Random(seed);
                    do {
                        for (int step = 0; step < hosts; step++) {
                            finishAndRelease(names.get(random.nextInt(hosts)), doubled);
                        }
                    } while (unfinished() > 0);
                    return null;
                }));
            }
            for (Future<?> f : placers) {
                f.get();
            }
            assertThat(doubled).as("hosts seen holding two requests").isEmpty();
        } finally {
            two.shutdownNow();
        }
        Map<Long, Integer> placements = lab.s.lab().store().read(h -> {
            Map<Long, Integer> counts = new HashMap<>();
            h.createQuery("select request_num, count(*) from request_events where state = 'PLACED' group by request_num")
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getInt(2))).forEach(e -> counts.put(e.getKey(), e.getValue()));
            return counts;
        });
        assertThat(placements).as("requests placed").hasSize(requests);
        assertThat(placements.values()).as("placements per request").containsOnly(1);
        assertThat(lab.s.desk().list(null, RequestState.PASSED, requests + 1)).hasSize(requests);
    }

    /** Requests queued or placed and not finished. */
    private int unfinished() {
        return lab.s.lab().store().read(h -> h.createQuery(
                "select count(*) from requests where state in ('QUEUED','PLACED','PICKED_UP','RUNNING')")
                .mapTo(Integer.class).one());
    }

    /** What ingest does when a host's SUT reports its run finished: the request ends, the host takes the next. */
    private void finishAndRelease(String host, List<String> doubled) {
        lab.s.lab().store().tx(h -> {
            HostRows.lock(h, host);
            Optional<Request> running = RequestRows.active(h, host);
            running.ifPresent(r -> RequestRows.setState(h, r.number(), RequestState.PASSED, null, lab.s.lab().now()));
            Queue.release(h, host, lab.s.lab().now());
            int holding = h.createQuery("select count(*) from requests where host = :host"
                    + " and state in ('PLACED','PICKED_UP','RUNNING')").bind("host", host).mapTo(Integer.class).one();
            if (holding > 1) {
                doubled.add(host);
            }
            return null;
        });
    }
}
