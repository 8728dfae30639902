package labdrop.request;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import labdrop.host.HostState;

/**
 * The lab's queue rules, as pure functions (docs/design.md "Queue rules"): an owner-only host
 * refuses other requesters; a host that is Available and has nothing placed takes the head of its
 * queue; any other host holds its queue. The store only executes what these decide
 * ({@code labdrop.queue.Queue}).
 */
public final class QueueRules {
    /**
     * Highest priority first, then the place in the queue (the filing order, unless a request was
     * moved), then the lowest number. The only definition of the order: the store does not sort.
     */
    public static final Comparator<Request> PLACEMENT_ORDER = Comparator
            .comparingInt((Request r) -> -r.priority().rank())
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
        return request.pool() != null && request.pool().matches(hostType, hostLabels)
                && rejection(hostName, owner, ownerOnly, request.requester()).isEmpty();
    }

    /**
     * What a host may place next: its own queue and the pool requests it serves, in one list (the
     * release takes the first in {@link #PLACEMENT_ORDER}: a pool request competes with the host's
     * own requests by priority, then filing order).
     */
    public static List<Request> candidates(String hostName, String hostType, String hostLabels, String owner,
                                           boolean ownerOnly, List<Request> hostQueue, List<Request> poolQueue) {
        List<Request> all = new ArrayList<>(hostQueue);
        poolQueue.stream().filter(r -> serves(hostName, hostType, hostLabels, owner, ownerOnly, r)).forEach(all::add);
        return all;
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
