package labdrop.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.lab.Lab;
import labdrop.request.QueueRules;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.request.StartEstimate;
import labdrop.store.HostRows;
import labdrop.store.RequestRows;
import org.jdbi.v3.core.Handle;

/**
 * When queued work is expected to start ({@link StartEstimate} decides; this reads what it needs):
 * a queued request's predicted start, and how long a request filed now for a pool would wait.
 */
public final class StartEstimates {
    /** How many recent runs on a host type the start estimate learns from. */
    private static final int RECENT_RUNS = 50;
    private static final Set<HostState> NOT_TAKING = EnumSet.of(HostState.MAINT, HostState.RETIRED, HostState.LOST,
            HostState.OUTDATED);

    private final Lab lab;

    public StartEstimates(Lab lab) {
        this.lab = lab;
    }

    /**
     * When a queued request is expected to start ({@link StartEstimate}), or null when it is not
     * queued or no host can take it now. For a host request: the host's running request and its
     * queue ahead; for a pool request: every host of the pool that can take it now and the pool's
     * queue ahead (its hosts' own queues are not counted). Run times: recent runs on the host type.
     */
    public Instant predictedStart(Request r) {
        if (r.state() != RequestState.QUEUED) {
            return null;
        }
        return lab.store().read(h -> {
            List<Host> hosts = (r.host() != null ? HostRows.find(h, r.host()).stream()
                    : HostRows.ofType(h, r.pool().type()).stream().filter(x -> QueueRules.serves(x.name(), x.type(), x.labels(), x.owner(),
                            x.ownerOnly(), r))).filter(x -> !NOT_TAKING.contains(x.state())).toList();
            if (hosts.isEmpty()) {
                return null;
            }
            List<Request> queue = r.host() != null ? RequestRows.queued(h, r.host())
                    : RequestRows.queuedForPool(h, r.pool().type()).stream()
                    .filter(q -> hosts.stream().anyMatch(x -> QueueRules.serves(x.name(), x.type(), x.labels(), x.owner(),
                            x.ownerOnly(), q))).sorted(QueueRules.PLACEMENT_ORDER).toList();
            return estimate(h, hosts, queue.stream().takeWhile(q -> q.number() != r.number()).toList());
        });
    }

    /**
     * How long a request filed now for any host of {@code type} is expected to wait
     * ({@link StartEstimate}): every host of the type that can take work, the whole pool queue of
     * the type ahead. Null when no host of the type can take work now.
     */
    public Duration poolWait(String type) {
        return lab.store().read(h -> {
            List<Host> hosts = HostRows.ofType(h, type).stream().filter(x -> !NOT_TAKING.contains(x.state())).toList();
            if (hosts.isEmpty()) {
                return null;
            }
            Duration wait = Duration.between(lab.now(), estimate(h, hosts, RequestRows.queuedForPool(h, type)));
            return wait.isNegative() ? Duration.ZERO : wait;
        });
    }

    /** When the next request after {@code ahead} starts on one of {@code hosts} (all of one type). */
    private Instant estimate(Handle h, List<Host> hosts, List<Request> ahead) {
        List<RequestRows.Run> runs = RequestRows.recentRuns(h, hosts.get(0).type(), RECENT_RUNS);
        Map<String, Request> active = RequestRows.activeOn(h, hosts.stream().map(Host::name).toList());
        List<Instant> freeAt = new ArrayList<>();
        for (Host host : hosts) {
            Request a = active.get(host.name());
            freeAt.add(a == null ? lab.now() : (a.placedAt() == null ? lab.now() : a.placedAt()).plus(expected(a, runs)));
        }
        return StartEstimate.start(lab.now(), freeAt, ahead.stream().map(q -> expected(q, runs)).toList());
    }

    /** How many pool requests wait for a host, per host type. */
    public Map<String, Integer> queuedPerPoolType() {
        return lab.store().read(RequestRows::queuedPerPoolType);
    }

    private static Duration expected(Request r, List<RequestRows.Run> runs) {
        String tests = RequestRows.testsOf(r.tests());
        return StartEstimate.expected(runs.stream().filter(x -> x.tests().equals(tests)).map(RequestRows.Run::took).toList(),
                runs.stream().map(RequestRows.Run::took).toList());
    }

}
