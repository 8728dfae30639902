package labdrop.request;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * The lab's queue rules, as pure functions (docs/design.md "Queue rules"): an owner-only host
 * refuses other requesters; queued requests are placed by priority, then filing time.
 */
public final class QueueRules {
    /** Highest priority first, then earliest filing, then lowest number. */
    public static final Comparator<Request> PLACEMENT_ORDER = Comparator
            .comparingInt((Request r) -> -r.priority().rank())
            .thenComparing(Request::filedAt)
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
