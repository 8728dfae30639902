package labdrop.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import labdrop.result.KnownIssue;
import org.jdbi.v3.core.Handle;

/** The known issues marked on failing cases. */
public final class KnownIssueRows {
    private KnownIssueRows() {
    }

    public static long add(Handle h, KnownIssue issue) {
        return h.createUpdate("""
                        insert into known_issues (test_name, suite, case_name, host_type, note, created_by, created_at)
                        values (:test, :suite, :name, :type, :note, :by, :at)""")
                .bind("test", issue.test()).bind("suite", issue.suite()).bind("name", issue.name())
                .bind("type", issue.hostType()).bind("note", issue.note()).bind("by", issue.createdBy())
                .bind("at", Times.bind(issue.createdAt()))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    public static int countFor(Handle h, String test) {
        return h.createQuery("select count(*) from known_issues where test_name = :test").bind("test", test)
                .mapTo(Integer.class).one();
    }

    /** The marks of one test (read when its run is compared). */
    public static List<KnownIssue> of(Handle h, String test) {
        return h.createQuery("select * from known_issues where test_name = :test order by id").bind("test", test)
                .map((rs, ctx) -> issue(rs)).list();
    }

    /** Every mark, newest first. */
    public static List<KnownIssue> all(Handle h, int limit) {
        return h.createQuery("select * from known_issues order by id desc fetch first :limit rows only")
                .bind("limit", limit).map((rs, ctx) -> issue(rs)).list();
    }

    public static Optional<KnownIssue> find(Handle h, long id) {
        return h.createQuery("select * from known_issues where id = :id").bind("id", id).map((rs, ctx) -> issue(rs))
                .findOne();
    }

    public static void remove(Handle h, long id) {
        h.createUpdate("update case_verdicts set known_issue = null where known_issue = :id").bind("id", id).execute();
        h.createUpdate("delete from known_issues where id = :id").bind("id", id).execute();
    }

    /** The marks whose case passed in request {@code num}: possibly stale (the first pass is kept). */
    public static void passed(Handle h, Set<Long> ids, long num, Instant at) {
        for (long id : ids) {
            h.createUpdate("update known_issues set stale_at = :at, stale_request = :num where id = :id and stale_at is null")
                    .bind("at", Times.bind(at)).bind("num", num).bind("id", id).execute();
        }
    }

    /** The marks whose case failed again: no longer stale. */
    public static void failed(Handle h, Set<Long> ids) {
        for (long id : ids) {
            h.createUpdate("update known_issues set stale_at = null, stale_request = null where id = :id")
                    .bind("id", id).execute();
        }
    }

    private static KnownIssue issue(ResultSet rs) throws SQLException {
        return new KnownIssue(rs.getLong("id"), rs.getString("test_name"), rs.getString("suite"), rs.getString("case_name"),
                rs.getString("host_type"), rs.getString("note"), rs.getString("created_by"), Times.read(rs, "created_at"),
                Times.read(rs, "stale_at"), (Long) rs.getObject("stale_request", Long.class));
    }
}
