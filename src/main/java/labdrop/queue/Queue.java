package labdrop.queue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.request.QueueRules;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.HostRows;
import labdrop.store.PlacementRows;
import labdrop.store.PoolRows;
import labdrop.store.RequestRows;
import org.jdbi.v3.core.Handle;

/**
 * Places the next queued request of a host when the host is Available and has nothing placed.
 * Called, with the host's row locked, after every event that can free a host: filing,
 * activation, a state report, a result, a cancel, the watchdog.
 */
public final class Queue {
    private Queue() {
    }

    public static Optional<Request> release(Handle h, Host host, Instant now) {
        return release(h, host, RequestRows.active(h, host.name()), now);
    }

    /**
     * Releases with the host's placed-and-unfinished request already read in this transaction:
     * {@link QueueRules#release} decides, this writes the decision.
     */
    public static Optional<Request> release(Handle h, Host host, Optional<Request> active, Instant now) {
        if (active.isPresent()) {
            return Optional.empty();
        }
        HostState reported = host.reportedStatus() == null ? null : HostState.valueOf(host.reportedStatus());
        HostState settled = QueueRules.release(host.state(), reported, false, List.of()).hostState();
        List<Request> queue = settled == HostState.AVAILABLE ? candidates(h, host) : List.of();
        QueueRules.Release decision = QueueRules.release(host.state(), reported, false, queue);
        if (settled != host.state()) {
            HostRows.setState(h, host.name(), settled, now);
        }
        decision.placed().ifPresent(request -> {
            if (request.host() == null) {
                RequestRows.claim(h, request.number(), host.name());
                RequestRows.recordPoolPlacement(h, request.pool().type(), request.requester(), now);
            }
            RequestRows.setState(h, request.number(), RequestState.PLACED, null,
                    request.pool() == null ? null : "placed on " + host.name() + " from pool " + request.pool().label(), now);
            PlacementRows.add(h, request.number(), host.name(), Placer.PLACE, now);
        });
        if (decision.hostState() != settled) {
            HostRows.setState(h, host.name(), decision.hostState(), now);
        }
        return decision.placed();
    }

    /**
     * What the host may take: the request {@link QueueRules#next} picks from its own queue and the
     * heads of the pool's queue it may serve ({@link RequestRows#poolHeads}: the oldest request per
     * requester, priority and labels, which is all fair sharing needs). Pool requests are read with the pool's row locked (host first,
     * then pool: the one lock order), so two hosts of a type freeing at once never claim the same
     * request.
     */
    private static List<Request> candidates(Handle h, Host host) {
        List<Request> own = RequestRows.queued(h, host.name());
        if (!RequestRows.anyQueuedForPool(h, host.type()) || !PoolRows.lock(h, host.type())) {
            return own;
        }
        Set<Long> jobsOnHost = RequestRows.jobsOn(h, host.name());
        return QueueRules.next(host.name(), host.type(), host.labels(), host.owner(), host.ownerOnly(), own,
                RequestRows.poolHeads(h, host.type(), host.ownerOnly() ? host.owner() : null, jobsOnHost),
                RequestRows.lastPoolPlacements(h, host.type()), jobsOnHost)
                .map(List::of).orElse(List.of());
    }

    /** Locks the host and releases; for callers outside a host-locked transaction. */
    public static void release(Handle h, String host, Instant now) {
        HostRows.lock(h, host).ifPresent(locked -> release(h, locked, now));
    }
}
