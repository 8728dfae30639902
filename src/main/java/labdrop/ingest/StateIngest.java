package labdrop.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import labdrop.config.Durations;
import labdrop.drop.xml.StateDoc;
import labdrop.error.BadInputException;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.queue.Queue;
import labdrop.request.Request;
import labdrop.request.StateReportRules;
import labdrop.store.HostRows;
import labdrop.store.RequestRows;
import org.jdbi.v3.core.Handle;

/**
 * Applies one parsed state_file to the store: checks it at the edge (its own host, a seq not far
 * ahead of the server's clock), reads the host and its placed request once, lets
 * {@link StateReportRules} decide and writes the decision: the report with the server's receive
 * time, the request's and the host's new states, and the release of the next queued request.
 */
final class StateIngest {
    /** What became of one state report. */
    enum Outcome { APPLIED, STALE, UNKNOWN_HOST,
        /** This very file (same identity, size and time) was applied already, by this node or another. */
        ALREADY }

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
        Optional<Request> placed = RequestRows.active(h, hostName);
        HostState reported = HostState.reported(doc.status);
        StateReportRules.Decision decision = StateReportRules.decide(host, placed,
                new StateReportRules.Report(reported, doc.seq, doc.request, doc.message), maxSeq,
                outdated(doc.agentVersion, minAgentVersion));
        if (!decision.applied()) {
            return Outcome.STALE;
        }
        HostRows.recordReport(h, hostName, new HostRows.Report(reported.name(), doc.seq, receivedAt, doc.bootId,
                doc.step, doc.agentVersion, doc.request, decision.message()));
        decision.requestState().ifPresent(next -> RequestRows.setState(h, placed.orElseThrow().number(), next, null, receivedAt));
        decision.hostState().ifPresent(next -> HostRows.setState(h, hostName, next, receivedAt));
        if (decision.release()) {
            Queue.release(h, host.reported(decision.hostState().orElse(host.state()), reported), placed, receivedAt);
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
}
