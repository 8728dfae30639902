package labdrop.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import labdrop.result.CaseOutcome;
import labdrop.result.Regressions;
import labdrop.result.TestCase;
import labdrop.result.Verdict;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Runs of a test on a scope (its history), and the verdicts its cases got against them. */
public final class HistoryRows {
    private HistoryRows() {
    }

    /** An earlier run of a test: which request and which of its tests. */
    public record Run(long requestNum, int testIndex) {
    }

    /** A stored verdict, with where it was found, and for a new failure its confirmation on a second host. */
    public record Stored(long requestNum, int testIndex, String testName, String scope, Regressions.Finding finding,
                         Instant endedAt, String confirmation, Long confirmedBy) {
    }

    /** Marks test {@code index} of request {@code num} as a run of its test on {@code scope}. */
    public static void markRun(Handle h, long num, int index, String argsKey, String scope, Instant ended, Long previous) {
        h.createUpdate("""
                        update test_results set args_key = :key, scope = :scope, ended_at = :ended, previous_num = :previous
                        where request_num = :num and idx = :idx""")
                .bind("key", argsKey).bind("scope", scope).bind("ended", Times.bind(ended)).bind("previous", previous)
                .bind("num", num).bind("idx", index).execute();
    }

    /** The last {@code limit} earlier runs of the test on the scope, newest first (an index range, not the history). */
    public static List<Run> lastRuns(Handle h, String name, String argsKey, String scope, long exceptNum, int limit) {
        return h.createQuery("""
                        select request_num, idx from test_results
                        where name = :name and args_key = :key and scope = :scope and request_num <> :num
                        order by ended_at desc, request_num desc fetch first :limit rows only""")
                .bind("name", name).bind("key", argsKey).bind("scope", scope).bind("num", exceptNum)
                .bind("limit", limit)
                .map((rs, ctx) -> new Run(rs.getLong("request_num"), rs.getInt("idx"))).list();
    }

    /** Every case of one run. */
    public static List<TestCase> cases(Handle h, Run run) {
        return h.createQuery("select suite, name, outcome, duration_ms, message from test_cases"
                        + " where request_num = :num and test_idx = :idx order by seq")
                .bind("num", run.requestNum()).bind("idx", run.testIndex())
                .map((rs, ctx) -> new TestCase(rs.getString("suite"), rs.getString("name"),
                        CaseOutcome.of(rs.getString("outcome")).orElse(CaseOutcome.ERROR),
                        (Long) rs.getObject("duration_ms", Long.class), null)).list();
    }

    /** The full names of one run's failing cases. */
    public static Set<String> failing(Handle h, Run run) {
        return new HashSet<>(h.createQuery("select suite, name from test_cases where request_num = :num"
                        + " and test_idx = :idx and outcome in ('fail', 'error')")
                .bind("num", run.requestNum()).bind("idx", run.testIndex())
                .map((rs, ctx) -> rs.getString("suite").isEmpty() ? rs.getString("name")
                        : rs.getString("suite") + "." + rs.getString("name")).list());
    }

    /** Replaces the verdicts of the request's test {@code index}. */
    public static void replaceVerdicts(Handle h, long num, int index, String testName, String scope,
                                       List<Regressions.Finding> findings, Instant ended) {
        h.createUpdate("delete from case_verdicts where request_num = :num and test_idx = :idx")
                .bind("num", num).bind("idx", index).execute();
        Integer last = h.createQuery("select max(seq) from case_verdicts where request_num = :num").bind("num", num)
                .mapTo(Integer.class).one();
        int seq = last == null ? 0 : last;
        PreparedBatch batch = h.prepareBatch("""
                insert into case_verdicts (request_num, seq, test_idx, test_name, scope, suite, name, verdict, outcome,
                    previous, ended_at, known_issue)
                values (:num, :seq, :idx, :test, :scope, :suite, :name, :verdict, :outcome, :previous, :ended, :known)""");
        for (Regressions.Finding f : findings) {
            batch.bind("num", num).bind("seq", ++seq).bind("idx", index).bind("test", testName).bind("scope", scope)
                    .bind("suite", f.suite()).bind("name", f.name()).bind("verdict", f.verdict().label())
                    .bind("outcome", f.outcome() == null ? null : f.outcome().label())
                    .bind("previous", f.previous() == null ? null : f.previous().label())
                    .bind("ended", Times.bind(ended)).bind("known", f.knownIssue()).add();
        }
        if (batch.size() > 0) {
            batch.execute();
        }
    }

    /** The previous run each test of the request was compared with: test index → request number. */
    public static Map<Integer, Long> previous(Handle h, long num) {
        Map<Integer, Long> previous = new HashMap<>();
        h.createQuery("select idx, previous_num from test_results where request_num = :num and previous_num is not null")
                .bind("num", num).map((rs, ctx) -> Map.entry(rs.getInt("idx"), rs.getLong("previous_num")))
                .forEach(e -> previous.put(e.getKey(), e.getValue()));
        return previous;
    }

    /** How many verdicts of each kind the request got. */
    public static Map<Verdict, Integer> counts(Handle h, long num) {
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        h.createQuery("select verdict, count(*) n from case_verdicts where request_num = :num group by verdict")
                .bind("num", num).map((rs, ctx) -> Map.entry(rs.getString("verdict"), rs.getInt("n")))
                .forEach(e -> Verdict.of(e.getKey()).ifPresent(v -> counts.put(v, e.getValue())));
        return counts;
    }

    /** Sets the confirmation of the request's new failures (not those of a known issue) to {@code status}. */
    public static void confirmNewFailures(Handle h, long num, String status, Long by) {
        h.createUpdate("update case_verdicts set confirmation = :status, confirmed_by = :by"
                        + " where request_num = :num and verdict = 'new-failure'")
                .bind("status", status).bind("by", by).bind("num", num).execute();
    }

    /** A new failure waiting for its confirmation: where it is, and which case. */
    public record Pending(int seq, String testName, String fullName) {
    }

    public static List<Pending> pendingConfirmations(Handle h, long num) {
        return h.createQuery("select seq, test_name, suite, name from case_verdicts where request_num = :num"
                        + " and confirmation = 'pending' order by seq").bind("num", num)
                .map((rs, ctx) -> new Pending(rs.getInt("seq"), rs.getString("test_name"), rs.getString("suite").isEmpty()
                        ? rs.getString("name") : rs.getString("suite") + "." + rs.getString("name"))).list();
    }

    public static void settleConfirmation(Handle h, long num, int seq, String status) {
        h.createUpdate("update case_verdicts set confirmation = :status where request_num = :num and seq = :seq")
                .bind("status", status).bind("num", num).bind("seq", seq).execute();
    }

    /** A request's verdicts, at most {@code limit}. */
    public static List<Stored> verdicts(Handle h, long num, int limit) {
        return h.createQuery("select * from case_verdicts where request_num = :num order by seq fetch first :limit rows only")
                .bind("num", num).bind("limit", limit).map((rs, ctx) -> stored(rs)).list();
    }

    /** Verdicts of the kinds given found since {@code since}, newest first, at most {@code limit}. */
    public static List<Stored> since(Handle h, Instant since, List<Verdict> kinds, int limit) {
        return h.createQuery("""
                        select * from case_verdicts where ended_at >= :since and verdict in (<kinds>)
                        order by ended_at desc, request_num desc, seq fetch first :limit rows only""")
                .bind("since", Times.bind(since)).bindList("kinds", kinds.stream().map(Verdict::label).toList())
                .bind("limit", limit).map((rs, ctx) -> stored(rs)).list();
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        return new Stored(rs.getLong("request_num"), rs.getInt("test_idx"), rs.getString("test_name"),
                rs.getString("scope"), new Regressions.Finding(rs.getString("suite"), rs.getString("name"),
                Verdict.of(rs.getString("verdict")).orElseThrow(),
                CaseOutcome.of(String.valueOf(rs.getString("outcome"))).orElse(null),
                CaseOutcome.of(String.valueOf(rs.getString("previous"))).orElse(null),
                (Long) rs.getObject("known_issue", Long.class)), Times.read(rs, "ended_at"), rs.getString("confirmation"),
                (Long) rs.getObject("confirmed_by", Long.class));
    }
}
