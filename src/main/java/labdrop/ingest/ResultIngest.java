package labdrop.ingest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import labdrop.drop.xml.ResultDoc;
import labdrop.error.BadInputException;
import labdrop.host.Host;
import labdrop.queue.Confirmations;
import labdrop.queue.HealthChecks;
import labdrop.queue.Placer;
import labdrop.queue.Queue;
import labdrop.request.QueueRules;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.CaseRows;
import labdrop.store.HostRows;
import labdrop.store.PlacementRows;
import labdrop.store.RequestRows;
import labdrop.store.ResultRows;
import org.jdbi.v3.core.Handle;

/**
 * Applies one parsed results/<id>/result.xml: per-test rows, the request's outcome, what it means
 * for the host's health, the next request.
 */
final class ResultIngest {
    private ResultIngest() {
    }

    /** Returns false when the result names no request of this host. */
    static boolean apply(Handle h, String hostName, String folderId, ResultDoc doc, CaseIntake cases,
                         HealthChecks health, Confirmations confirmations, List<Runnable> afterCommit, Instant now) {
        if (!hostName.equals(doc.host) || !folderId.equals(doc.request)) {
            throw new BadInputException(hostName + "/results/" + folderId + "/result.xml names host '" + doc.host
                    + "' and request '" + doc.request + "'; it must name its own host and folder");
        }
        Optional<Host> host = HostRows.lock(h, hostName);
        if (host.isEmpty()) {
            return false;
        }
        long num = Request.numberOf(doc.request);
        Request request = num < 0 ? null : RequestRows.find(h, num).orElse(null);
        if (request == null || !request.host().equals(hostName)) {
            throw new BadInputException(hostName + "/results/" + folderId + "/result.xml is for request '"
                    + doc.request + "', which is not a request of host '" + hostName + "'");
        }
        if (request.state().isFinal()) {
            // Frozen: a late, repeated or forged result changes nothing of a finished request.
            return true;
        }
        if (RequestRows.active(h, hostName).filter(active -> active.number() == num).isEmpty()) {
            throw new BadInputException(hostName + "/results/" + folderId + "/result.xml is for request " + doc.request
                    + ", which is " + request.state().label() + " and not placed on host '" + hostName
                    + "'; results are accepted only for the request placed on the host");
        }
        List<ResultRows.TestResult> rows = doc.tests.stream()
                .map(t -> new ResultRows.TestResult(t.index, t.name, t.outcome, t.exitCode, t.started, t.finished,
                        t.logs, cases.dropped().getOrDefault(t.index, 0)))
                .toList();
        ResultRows.replace(h, num, rows);
        CaseRows.replace(h, num, cases.cases(), cases.problems());
        RequestState outcome;
        String summary;
        if (doc.problem != null) {
            outcome = "rejected".equals(doc.problem.kind) ? RequestState.REJECTED : RequestState.ERROR;
            summary = (outcome == RequestState.REJECTED ? "refused by the agent: " : "agent error: ") + doc.problem.message;
        } else {
            outcome = QueueRules.outcome(rows.stream().map(ResultRows.TestResult::outcome).toList());
            summary = summary(rows);
        }
        RequestRows.setState(h, num, outcome, summary, now);
        if (doc.problem == null) {
            // After the state: a new regression's event follows its request's finished event.
            CaseComparison.record(h, request, host.get(), rows, cases.cases(), now);
        }
        confirmations.fileIfDue(h, host.get(), request).ifPresent(filed -> afterCommit.add(() -> confirmations.offer(filed)));
        confirmations.settle(h, request, outcome, cases.cases())
                .ifPresent(first -> afterCommit.add(() -> confirmations.checkHost(first)));
        PlacementRows.add(h, num, hostName, Placer.REMOVE, now);
        health.ended(h, host.get(), request, outcome, rows.stream()
                .map(r -> Map.entry(r.name(), r.outcome())).toList(), summary);
        Queue.release(h, hostName, now);
        return true;
    }

    private static String summary(List<ResultRows.TestResult> rows) {
        Map<String, Integer> counts = new TreeMap<>();
        rows.forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        StringBuilder out = new StringBuilder(rows.size() + (rows.size() == 1 ? " test" : " tests"));
        counts.forEach((outcome, n) -> out.append(", ").append(n).append(' ').append(outcome));
        return out.toString();
    }
}
