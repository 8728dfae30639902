package labdrop.store;

import java.util.List;
import java.util.Map;
import labdrop.result.CaseOutcome;
import labdrop.result.TestCase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The cases of a request's tests, and the problems met reading them. */
public final class CaseRows {
    private CaseRows() {
    }

    /** A stored case: the test it belongs to (by index) and the case. */
    public record Row(int testIndex, TestCase testCase) {
    }

    /** A problem met reading a request's cases; {@code testIndex} is null for the whole file. */
    public record Problem(Integer testIndex, String message) {
    }

    /** Counts of a request's cases per test and outcome. */
    public record Count(int testIndex, CaseOutcome outcome, int count) {
    }

    /** Replaces the request's cases and problems (a re-sent result replaces the earlier one). */
    public static void replace(Handle h, long num, Map<Integer, List<TestCase>> cases, List<Problem> problems) {
        h.createUpdate("delete from test_cases where request_num = :num").bind("num", num).execute();
        h.createUpdate("delete from case_problems where request_num = :num").bind("num", num).execute();
        PreparedBatch batch = h.prepareBatch("""
                insert into test_cases (request_num, test_idx, seq, suite, name, outcome, duration_ms, message)
                values (:num, :idx, :seq, :suite, :name, :outcome, :ms, :message)""");
        cases.forEach((index, list) -> {
            for (int i = 0; i < list.size(); i++) {
                TestCase c = list.get(i);
                batch.bind("num", num).bind("idx", index).bind("seq", i + 1).bind("suite", c.suite())
                        .bind("name", c.name()).bind("outcome", c.outcome().label()).bind("ms", c.durationMillis())
                        .bind("message", c.message()).add();
            }
        });
        if (batch.size() > 0) {
            batch.execute();
        }
        for (int i = 0; i < problems.size(); i++) {
            h.createUpdate("""
                    insert into case_problems (request_num, seq, test_idx, message) values (:num, :seq, :idx, :message)""")
                    .bind("num", num).bind("seq", i + 1).bind("idx", problems.get(i).testIndex())
                    .bind("message", problems.get(i).message()).execute();
        }
    }

    /** The request's cases in test and report order; {@code outcomes} empty for all, else only those. */
    public static List<Row> of(Handle h, long num, List<CaseOutcome> outcomes, int offset, int limit) {
        String filter = outcomes.isEmpty() ? "" : " and outcome in (<outcomes>)";
        var query = h.createQuery("select * from test_cases where request_num = :num" + filter
                        + " order by test_idx, seq offset :offset rows fetch next :limit rows only")
                .bind("num", num).bind("offset", offset).bind("limit", limit);
        if (!outcomes.isEmpty()) {
            query.bindList("outcomes", outcomes.stream().map(CaseOutcome::label).toList());
        }
        return query.map((rs, ctx) -> new Row(rs.getInt("test_idx"), new TestCase(rs.getString("suite"),
                rs.getString("name"), CaseOutcome.of(rs.getString("outcome")).orElse(CaseOutcome.ERROR),
                (Long) rs.getObject("duration_ms", Long.class), rs.getString("message")))).list();
    }

    public static List<Count> counts(Handle h, long num) {
        return h.createQuery("""
                        select test_idx, outcome, count(*) n from test_cases where request_num = :num
                        group by test_idx, outcome order by test_idx""").bind("num", num)
                .map((rs, ctx) -> new Count(rs.getInt("test_idx"),
                        CaseOutcome.of(rs.getString("outcome")).orElse(CaseOutcome.ERROR), rs.getInt("n"))).list();
    }

    public static List<Problem> problems(Handle h, long num) {
        return h.createQuery("select * from case_problems where request_num = :num order by seq").bind("num", num)
                .map((rs, ctx) -> new Problem((Integer) rs.getObject("test_idx", Integer.class), rs.getString("message")))
                .list();
    }
}
