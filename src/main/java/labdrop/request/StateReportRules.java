package labdrop.request;

import java.util.List;
import java.util.Optional;
import labdrop.host.Host;
import labdrop.host.HostState;

/**
 * What one state report from a SUT does to its host and to the request placed on it
 * (docs/design.md "States"), decided without the store: the ingest writes the decision.
 */
public final class StateReportRules {
    /** The request states a report may move a request through, in order; a report never moves one back. */
    private static final List<RequestState> PROGRESS = List.of(RequestState.PLACED, RequestState.PICKED_UP, RequestState.RUNNING);

    private StateReportRules() {
    }

    /** One state report as the rules need it. */
    public record Report(HostState status, long seq, String request, String message) {
    }

    /**
     * What to write for a report.
     *
     * @param applied      false for a report that is not newer than the last one: nothing is written
     * @param requestState the placed request's new state; empty when it does not move
     * @param hostState    the host's new state; empty when it keeps its state (an admin holds it)
     * @param message      the host's message: the report's, or why its agent is refused
     * @param release      whether the host's queue may move on (see {@link QueueRules#release})
     */
    public record Decision(boolean applied, Optional<RequestState> requestState, Optional<HostState> hostState,
                           String message, boolean release) {
        static final Decision STALE = new Decision(false, Optional.empty(), Optional.empty(), null, false);
    }

    /**
     * Decides a report. A seq not newer than the host's last one is stale, except when the host's
     * last seq is beyond {@code maxSeq} (accepted before that rule existed), so a host is never
     * frozen. The placed request named by the report moves forward (Pending and Install: PickedUp;
     * Running and Rebooting: Running). A host in Maint or Retired keeps its state. An agent refused
     * for its version ({@code outdated} is the reason, null when it is accepted) leaves an idle host
     * Outdated and its queue held. Otherwise the host takes the reported state, except that a host
     * reporting Available while its request is still only Placed is Pending (the agent has not seen
     * it yet).
     */
    public static Decision decide(Host host, Optional<Request> placed, Report report, long maxSeq, String outdated) {
        if (report.seq() <= host.lastSeq() && host.lastSeq() <= maxSeq) {
            return Decision.STALE;
        }
        Optional<RequestState> moved = placed.filter(r -> r.id().equals(report.request()))
                .flatMap(r -> advance(r.state(), report.status()));
        Optional<RequestState> placedState = moved.or(() -> placed.map(Request::state));
        if (outdated != null) {
            Optional<HostState> next = !host.state().isAdminHeld() && placed.isEmpty()
                    ? Optional.of(HostState.OUTDATED) : Optional.empty();
            return new Decision(true, moved, next, outdated, false);
        }
        if (host.state().isAdminHeld()) {
            return new Decision(true, moved, Optional.empty(), report.message(), false);
        }
        HostState next = report.status() == HostState.AVAILABLE && placedState.equals(Optional.of(RequestState.PLACED))
                ? HostState.PENDING : report.status();
        return new Decision(true, moved, Optional.of(next), report.message(), true);
    }

    private static Optional<RequestState> advance(RequestState current, HostState reported) {
        RequestState next = switch (reported) {
            case PENDING, INSTALL -> RequestState.PICKED_UP;
            case RUNNING, REBOOTING -> RequestState.RUNNING;
            default -> current;
        };
        return PROGRESS.indexOf(next) > PROGRESS.indexOf(current) ? Optional.of(next) : Optional.empty();
    }
}
