package labdrop.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import labdrop.event.EventKind;
import labdrop.host.Host;
import labdrop.request.Request;
import labdrop.request.TestSpec;
import labdrop.result.Regressions;
import labdrop.result.TestCase;
import labdrop.result.TestHistory;
import labdrop.result.Verdict;
import labdrop.store.EventRows;
import labdrop.store.HistoryRows;
import labdrop.store.KnownIssueRows;
import labdrop.store.ResultRows;
import org.jdbi.v3.core.Handle;

/**
 * When a request finishes, each of its tests that passed or failed becomes a run of its test on
 * its scope, and its cases are compared with the last earlier runs ({@link Regressions}); the
 * verdicts are stored with the request. Reads at most ten runs of the test, whatever its history.
 */
final class CaseComparison {
    private CaseComparison() {
    }

    static void record(Handle h, Request request, Host host, List<ResultRows.TestResult> tests,
                       Map<Integer, List<TestCase>> cases, Instant now) {
        String scope = TestHistory.scope(host.name(), host.type());
        List<String> newFailures = new ArrayList<>();
        for (ResultRows.TestResult test : tests) {
            if (!TestHistory.isRun(test.outcome()) || test.index() < 1 || test.index() > request.tests().size()) {
                continue;
            }
            TestSpec spec = request.tests().get(test.index() - 1);
            if (!spec.packageName().equals(test.name())) {
                continue;
            }
            String key = TestHistory.argsKey(spec);
            List<HistoryRows.Run> runs = HistoryRows.lastRuns(h, test.name(), key, scope, request.number(),
                    Regressions.HISTORY);
            List<TestCase> current = cases.getOrDefault(test.index(), List.of());
            List<Regressions.Finding> findings = List.of();
            Long previous = null;
            if (!runs.isEmpty()) {
                HistoryRows.Run last = runs.get(0);
                previous = last.requestNum();
                List<Set<String>> older = new ArrayList<>();
                for (HistoryRows.Run run : runs.subList(1, runs.size())) {
                    older.add(HistoryRows.failing(h, run));
                }
                findings = Regressions.compare(current, HistoryRows.cases(h, last), older);
            }
            Regressions.Known known = Regressions.applyKnown(findings, current, KnownIssueRows.of(h, test.name()),
                    test.name(), host.type());
            if (previous != null) {
                known.findings().stream().filter(f -> f.verdict() == Verdict.NEW_FAILURE)
                        .forEach(f -> newFailures.add(test.name() + ": " + (f.suite().isEmpty() ? "" : f.suite() + ".") + f.name()));
                HistoryRows.replaceVerdicts(h, request.number(), test.index(), test.name(), scope, known.findings(), now);
            }
            KnownIssueRows.passed(h, known.passed(), request.number(), now);
            KnownIssueRows.failed(h, known.failed());
            HistoryRows.markRun(h, request.number(), test.index(), key, scope, now, previous);
        }
        if (!newFailures.isEmpty()) {
            EventRows.add(h, EventKind.REGRESSION, host.name(), request.number(), request.job(),
                    newFailures.size() + (newFailures.size() == 1 ? " new failure: " : " new failures: ")
                            + String.join(", ", newFailures), now);
        }
    }
}
