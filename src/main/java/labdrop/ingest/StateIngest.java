package labdrop.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import labdrop.config.Durations;
import labdrop.drop.xml.StateDoc;
import labdrop.error.BadInputException;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.queue.Queue;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.HostRows;
import labdrop.store.RequestRows;
import org.jdbi.v3.core.Handle;

/**
 * Applies one parsed state_file to the store: ignores a seq not newer than the last one, records
 * the report with the server's receive time, moves the host's request along, sets the host's
 * state (unless an admin holds it in Maint or Retired) and releases the next queued request.
 */
final class StateIngest {
    /** What became of one state report. */
    enum Outcome { APPLIED, STALE, UNKNOWN_HOST }

    private StateIngest() {
    }

    /**
     * Applies a report. An agent older than {@code minAgentVersion} (when set) leaves its host
     * Outdated, with the reason. A {@code seq} more than {@code maxSeqAhead} ahead of the receive
     * time (agents write the millisecond clock) is refused; a host whose stored seq is that far
     * ahead (a report accepted before this rule) takes the next valid report, so it is never frozen.
     */
    static Outcome apply(Handle h, String hostName, StateDoc doc, Instant receivedAt, String minAgentVersion,
                         Duration maxSeqAhead) {
        if (!hostName.equals(doc.host)) {
            throw new BadInputException(hostName + "/state_file names host '" + doc.host
                    + "'; a SUT may only report for its own host folder");
        }
        long maxSeq = receivedAt.toEpochMilli() + maxSeqAhead.toMillis();
        if (doc.seq > maxSeq) {
            throw new BadInputException(hostName + "/state_file has seq " + doc.seq + ", more than "
                    + Durations.text(maxSeqAhead) + " ahead of the server's clock (" + receivedAt.toEpochMilli()
                    + " ms; ingest.max-seq-ahead); agents write their clock in milliseconds: set the SUT's clock (NTP)");
        }
        Optional<Host> found = HostRows.lock(h, hostName);
        if (found.isEmpty()) {
            return Outcome.UNKNOWN_HOST;
        }
        Host host = found.get();
        if (doc.seq <= host.lastSeq() && host.lastSeq() <= maxSeq) {
            return Outcome.STALE;
        }
        HostState reported = HostState.reported(doc.status);
        HostRows.recordReport(h, hostName, new HostRows.Report(reported.name(), doc.seq, receivedAt, doc.bootId,
                doc.step, doc.agentVersion, doc.request, doc.message));
        Optional<Request> active = RequestRows.active(h, hostName);
        active.filter(r -> r.id().equals(doc.request)).ifPresent(r -> advance(h, r, reported, receivedAt));
        String outdated = outdated(doc.agentVersion, minAgentVersion);
        if (outdated != null) {
            HostRows.recordReport(h, hostName, new HostRows.Report(reported.name(), doc.seq, receivedAt, doc.bootId,
                    doc.step, doc.agentVersion, doc.request, outdated));
            if (!host.state().isAdminHeld() && RequestRows.active(h, hostName).isEmpty()) {
                HostRows.setState(h, hostName, HostState.OUTDATED, receivedAt);
            }
            return Outcome.APPLIED;
        }
        if (!host.state().isAdminHeld()) {
            Optional<Request> stillActive = RequestRows.active(h, hostName);
            HostState next = reported == HostState.AVAILABLE
                    && stillActive.filter(r -> r.state() == RequestState.PLACED).isPresent()
                    ? HostState.PENDING : reported;
            HostRows.setState(h, hostName, next, receivedAt);
            Queue.release(h, HostRows.find(h, hostName).orElseThrow(), receivedAt);
        }
        return Outcome.APPLIED;
    }

    /** The reason a report's agent is refused, or null when it is recent enough (or no minimum is set). */
    static String outdated(String agentVersion, String minAgentVersion) {
        if (minAgentVersion == null || minAgentVersion.isEmpty()) {
            return null;
        }
        if (agentVersion == null || agentVersion.isBlank() || HostState.compareVersions(agentVersion, minAgentVersion) < 0) {
            return "agent " + (agentVersion == null || agentVersion.isBlank() ? "(no version)" : agentVersion)
                    + " is older than the minimum " + minAgentVersion + " (agent.min-version): this host gets no requests"
                    + " until it runs a newer agent; install the new package on the SUT (docs/installation.md)";
        }
        return null;
    }

    private static void advance(Handle h, Request request, HostState reported, Instant now) {
        RequestState next = switch (reported) {
            case PENDING, INSTALL -> RequestState.PICKED_UP;
            case RUNNING, REBOOTING -> RequestState.RUNNING;
            default -> request.state();
        };
        List<RequestState> order = List.of(RequestState.PLACED, RequestState.PICKED_UP, RequestState.RUNNING);
        if (order.indexOf(next) > order.indexOf(request.state())) {
            RequestRows.setState(h, request.number(), next, null, now);
        }
    }
}
