package labdrop.request;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import labdrop.host.HostState;

/**
 * The lab's queue rules, as pure functions (docs/design.md "Queue rules"): an owner-only host
 * refuses other requesters; a host that is Available and has nothing placed takes the head of its
 * queue; any other host holds its queue. The store only executes what these decide
 * ({@code labdrop.queue.Queue}).
 */
public final class QueueRules {
    /**
     * Health checks first, then highest priority, then the place in the queue (the filing order,
     * unless a request was moved), then the lowest number. The only definition of the order: the
     * store does not sort.
     */
    public static final Comparator<Request> PLACEMENT_ORDER = Comparator
            .comparing((Request r) -> !r.healthCheck())
            .thenComparingInt((Request r) -> -r.priority().rank())
            .thenComparingLong(Request::queueRank)
            .thenComparingLong(Request::number);

    private QueueRules() {
    }

    /** Empty when {@code requester} may file for the host; otherwise the reason for the rejection. */
    public static Optional<String> rejection(String host, String owner, boolean ownerOnly, String requester) {
        if (ownerOnly && !requester.equals(owner)) {
            return Optional.of("host '" + host + "' is owner-only: only its owner '" + owner
                    + "' may file requests for it; ask the owner, or an admin to clear owner-only");
        }
        return Optional.empty();
    }

    /**
     * True when a host of {@code hostType} with {@code hostLabels} may take the pool request
     * {@code request}: the request is for a pool the host is of, and an owner-only host takes only
     * its owner's work.
     */
    public static boolean serves(String hostName, String hostType, String hostLabels, String owner, boolean ownerOnly,
                                 Request request) {
        return request.pool() != null && request.pool().admits(hostName, hostType, hostLabels)
                && rejection(hostName, owner, ownerOnly, request.requester()).isEmpty();
    }

    /**
     * The request a free host takes next, with fair sharing in pools. The highest priority waiting
     * comes first. Within it, the host's own queue gives its head ({@link #PLACEMENT_ORDER}); the
     * pool work the host serves gives the oldest request of the requester who has waited longest
     * since a request of theirs was last placed from this pool (never placed: first; ties: whose
     * oldest request is older). Of those two, the one filed first is placed. So one account filing
     * hundreds of requests cannot starve the others at its priority; host queues keep their order.
     *
     * A member of a job that already has a member on this host is not taken: a job's members run on
     * distinct hosts. A health check queued for the host comes before everything else, whatever
     * the priorities: a host runs nobody's work while its health is being checked.
     *
     * @param lastPlaced when each requester last had a pool request of this host type placed
     * @param jobsOnHost the jobs that already have a member on this host
     */
    public static Optional<Request> next(String hostName, String hostType, String hostLabels, String owner,
                                         boolean ownerOnly, List<Request> hostQueue, List<Request> poolQueue,
                                         Map<String, Instant> lastPlaced, Set<Long> jobsOnHost) {
        List<Request> pool = poolQueue.stream().filter(r -> r.state() == RequestState.QUEUED)
                .filter(r -> r.job() == null || !jobsOnHost.contains(r.job()))
                .filter(r -> serves(hostName, hostType, hostLabels, owner, ownerOnly, r)).toList();
        List<Request> own = hostQueue.stream().filter(r -> r.state() == RequestState.QUEUED).toList();
        Optional<Request> healthCheck = own.stream().filter(Request::healthCheck).min(PLACEMENT_ORDER);
        if (healthCheck.isPresent()) {
            return healthCheck;
        }
        Optional<Priority> top = Stream.concat(own.stream(), pool.stream()).map(Request::priority)
                .max(Comparator.comparingInt(Priority::rank));
        if (top.isEmpty()) {
            return Optional.empty();
        }
        Optional<Request> ownHead = own.stream().filter(r -> r.priority() == top.get()).min(PLACEMENT_ORDER);
        Map<String, Request> oldestPerRequester = new HashMap<>();
        pool.stream().filter(r -> r.priority() == top.get()).sorted(PLACEMENT_ORDER)
                .forEach(r -> oldestPerRequester.putIfAbsent(r.requester(), r));
        Optional<Request> fair = oldestPerRequester.values().stream().min(Comparator
                .comparing((Request r) -> lastPlaced.getOrDefault(r.requester(), Instant.MIN))
                .thenComparing(PLACEMENT_ORDER));
        return Stream.concat(ownHead.stream(), fair.stream()).min(Comparator.comparingLong(Request::number));
    }

    /**
     * What a host does with its queue now. A host with a request placed and unfinished keeps it
     * (nothing changes). Otherwise Pending settles to what the SUT last reported (Available if it
     * never reported); an Available host takes the head of its queue and becomes Pending; any other
     * state (Maint, Retired, Lost, Outdated, busy) holds the queue.
     *
     * @param reportedStatus the host's last reported state, null if it never reported
     */
    public static Release release(HostState state, HostState reportedStatus, boolean placedAndUnfinished,
                                  List<Request> queue) {
        if (placedAndUnfinished) {
            return new Release(state, Optional.empty());
        }
        HostState settled = state != HostState.PENDING ? state
                : reportedStatus == null ? HostState.AVAILABLE : reportedStatus;
        if (settled != HostState.AVAILABLE) {
            return new Release(settled, Optional.empty());
        }
        Optional<Request> head = queue.stream().filter(r -> r.state() == RequestState.QUEUED).min(PLACEMENT_ORDER);
        return new Release(head.isPresent() ? HostState.PENDING : HostState.AVAILABLE, head);
    }

    /** The host's state after a release, and the request placed on it, if any. */
    public record Release(HostState hostState, Optional<Request> placed) {
    }

    /** The final state a result implies: any aborted test → Aborted, else any error → Error, else any fail → Failed. */
    public static RequestState outcome(Collection<String> testOutcomes) {
        if (testOutcomes.contains("aborted")) {
            return RequestState.ABORTED;
        }
        if (testOutcomes.contains("error")) {
            return RequestState.ERROR;
        }
        if (testOutcomes.contains("fail")) {
            return RequestState.FAILED;
        }
        return RequestState.PASSED;
    }
}
