package labdrop.queue;

import java.time.Instant;
import java.util.ArrayList;
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
            RequestRows.setPlacementEpoch(h, request.number(), HostRows.nextPlacementEpoch(h, host.name()));
            PlacementRows.add(h, request.number(), host.name(), Placer.PLACE, now);
        });
        if (decision.hostState() != settled) {
            HostRows.setState(h, host.name(), decision.hostState(), now);
        }
        return decision.placed();
    }

    /**
     * What the host may take: the request {@link QueueRules#next} picks from its own queue and the
     * heads of the pool's queue it may serve ({@link #poolHeads}). The chosen request is read again
     * whole (the heads are read without their tests). Pool requests are read with the pool's row locked (host first,
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
                poolHeads(h, host, jobsOnHost), RequestRows.lastPoolPlacements(h, host.type()), jobsOnHost)
                .map(r -> RequestRows.find(h, r.number()).orElseThrow()).map(List::of).orElse(List.of());
    }

    /** Requests of one requester's pool queue read at a time while looking for the first this host may take. */
    private static final int PAGE = 20;

    /**
     * The heads of the pool's queue for this host: for each requester who files for the pool, the
     * first queued request of theirs (placement order) that the host may take ({@link QueueRules#serves},
     * and no second member of a job it ran). That is all fair sharing needs, and it is read a page at
     * a time per requester through an index, so it does not grow with the queue's length.
     */
    private static List<Request> poolHeads(Handle h, Host host, Set<Long> jobsOnHost) {
        List<Request> heads = new ArrayList<>();
        for (String requester : RequestRows.poolRequesters(h, host.type())) {
            if (host.ownerOnly() && !requester.equals(host.owner())) {
                continue;
            }
            for (int offset = 0; ; offset += PAGE) {
                List<Request> page = RequestRows.poolQueueOf(h, host.type(), requester, offset, PAGE);
                Optional<Request> first = page.stream()
                        .filter(r -> QueueRules.serves(host.name(), host.type(), host.labels(), host.owner(), host.ownerOnly(), r))
                        .filter(r -> r.job() == null || !jobsOnHost.contains(r.job())).findFirst();
                if (first.isPresent()) {
                    heads.add(first.get());
                }
                if (first.isPresent() || page.size() < PAGE) {
                    break;
                }
            }
        }
        return heads;
    }

    /** Locks the host and releases; for callers outside a host-locked transaction. */
    public static void release(Handle h, String host, Instant now) {
        HostRows.lock(h, host).ifPresent(locked -> release(h, locked, now));
    }
}
