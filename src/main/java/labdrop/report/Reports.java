package labdrop.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.lab.Lab;
import labdrop.request.Request;
import labdrop.result.CaseOutcome;
import labdrop.result.TestCase;
import labdrop.result.Verdict;
import labdrop.store.CaseRows;
import labdrop.store.HistoryRows;
import labdrop.store.RequestRows;
import labdrop.store.ResultRows;

/** What a finished request reported, per case: for its page, the API, the CLI and the JUnit export. */
public final class Reports {
    /** Failing cases shown with a request's detail; the rest through {@link #cases}. */
    public static final int FAILING_SHOWN = 100;
    /** Most cases one call to {@link #cases} answers. */
    public static final int MAX_PAGE = 5000;

    private final Lab lab;

    public Reports(Lab lab) {
        this.lab = lab;
    }

    /** One test's cases at a glance: counts per outcome, the first failing ones, how many the agent left out. */
    public record TestCases(int index, Map<CaseOutcome, Integer> counts, List<TestCase> failing, int dropped) {
        public int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** A request's cases at a glance: per test (by index), and the problems met reading them. */
    public record Summary(Map<Integer, TestCases> tests, List<CaseRows.Problem> problems) {
        public static final Summary NONE = new Summary(Map.of(), List.of());

        public TestCases test(int index) {
            return tests.getOrDefault(index, new TestCases(index, Map.of(), List.of(), 0));
        }
    }

    public Summary summary(Request r) {
        return lab.store().read(h -> {
            Map<Integer, Map<CaseOutcome, Integer>> counts = new LinkedHashMap<>();
            for (CaseRows.Count c : CaseRows.counts(h, r.number())) {
                counts.computeIfAbsent(c.testIndex(), k -> new EnumMap<>(CaseOutcome.class)).put(c.outcome(), c.count());
            }
            Map<Integer, List<TestCase>> failing = new LinkedHashMap<>();
            for (CaseRows.Row row : CaseRows.of(h, r.number(), List.of(CaseOutcome.FAIL, CaseOutcome.ERROR), 0,
                    FAILING_SHOWN)) {
                failing.computeIfAbsent(row.testIndex(), k -> new ArrayList<>()).add(row.testCase());
            }
            Map<Integer, Integer> dropped = new LinkedHashMap<>();
            ResultRows.of(h, r.number()).forEach(t -> dropped.put(t.index(), t.droppedCases()));
            Map<Integer, TestCases> tests = new LinkedHashMap<>();
            counts.forEach((index, byOutcome) -> tests.put(index, new TestCases(index, byOutcome,
                    failing.getOrDefault(index, List.of()), dropped.getOrDefault(index, 0))));
            return new Summary(tests, CaseRows.problems(h, r.number()));
        });
    }

    /** A page of the request's cases, only those with one of {@code outcomes} when it is not empty. */
    public List<CaseRows.Row> cases(Request r, List<CaseOutcome> outcomes, int offset, int limit) {
        return lab.store().read(h -> CaseRows.of(h, r.number(), outcomes, offset, Math.min(limit, MAX_PAGE)));
    }

    /** Findings shown with a request; the rest are counted. */
    public static final int FINDINGS_SHOWN = 500;
    /** Most changes the lab's regressions list shows. */
    public static final int MAX_CHANGES = 1000;

    /** A request against the earlier runs of its tests: the previous run per test, counts and findings. */
    public record Comparison(Map<Integer, String> previous, Map<Verdict, Integer> counts,
                             List<HistoryRows.Stored> findings, String confirms, String confirmation) {
    }

    public Comparison comparison(Request r) {
        return lab.store().read(h -> {
            Map<Integer, String> previous = new LinkedHashMap<>();
            HistoryRows.previous(h, r.number()).forEach((index, num) -> previous.put(index, Request.idOf(num)));
            return new Comparison(previous, HistoryRows.counts(h, r.number()),
                    HistoryRows.verdicts(h, r.number(), FINDINGS_SHOWN),
                    RequestRows.confirms(h, r.number()).map(Request::idOf).orElse(null),
                    RequestRows.confirmationOf(h, r.number()).map(Request::idOf).orElse(null));
        });
    }

    /** The lab's changes since {@code since}: {@code kinds} (new failures and fixes by default), newest first. */
    public List<HistoryRows.Stored> changes(Instant since, List<Verdict> kinds) {
        return lab.store().read(h -> HistoryRows.since(h, since, kinds, MAX_CHANGES));
    }

    /** Everything the JUnit export needs of one request: its tests and all their cases. */
    public JunitExport.Run run(Request r) {
        return lab.store().read(h -> new JunitExport.Run(r, ResultRows.of(h, r.number()),
                CaseRows.of(h, r.number(), List.of(), 0, Integer.MAX_VALUE)));
    }
}
