package labdrop.store;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Per-test results of a request. */
public final class ResultRows {
    private ResultRows() {
    }

    /** One test's outcome as the SUT reported it. */
    public record TestResult(int index, String name, String outcome, Integer exitCode, Instant started,
                             Instant finished, List<String> logs, int droppedCases) {
    }

    /** Replaces the request's rows (a re-sent result.xml replaces the earlier one). */
    public static void replace(Handle h, long num, List<TestResult> results) {
        h.createUpdate("delete from test_results where request_num = :num").bind("num", num).execute();
        for (TestResult r : results) {
            h.createUpdate("""
                    insert into test_results (request_num, idx, name, outcome, exit_code, started_at, finished_at, logs,
                        dropped_cases)
                    values (:num, :idx, :name, :outcome, :exit, :started, :finished, :logs, :dropped)""")
                    .bind("num", num).bind("idx", r.index()).bind("name", r.name()).bind("outcome", r.outcome())
                    .bind("exit", r.exitCode()).bind("started", Times.bind(r.started()))
                    .bind("finished", Times.bind(r.finished())).bind("logs", String.join("\n", r.logs())).bind("dropped", r.droppedCases()).execute();
        }
    }

    public static List<TestResult> of(Handle h, long num) {
        return h.createQuery("select * from test_results where request_num = :num order by idx").bind("num", num)
                .map((rs, ctx) -> new TestResult(rs.getInt("idx"), rs.getString("name"), rs.getString("outcome"),
                        (Integer) rs.getObject("exit_code"), Times.read(rs, "started_at"),
                        Times.read(rs, "finished_at"),
                        rs.getString("logs").isEmpty() ? List.of() : List.of(rs.getString("logs").split("\n")),
                        rs.getInt("dropped_cases")))
                .list();
    }
}
