package labdrop.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import labdrop.request.Job;
import labdrop.request.Pool;
import org.jdbi.v3.core.Handle;

/** Rows of the jobs table; the members are requests carrying the job's number ({@link RequestRows#ofJob}). */
public final class JobRows {
    private JobRows() {
    }

    public static long insert(Handle h, String requester, Pool pool, boolean everyHost, Instant now) {
        return h.createUpdate("""
                insert into jobs (requester, filed_at, pool_type, pool_labels, every_host)
                values (:requester, :now, :type, :labels, :every)""")
                .bind("requester", requester).bind("now", Times.bind(now)).bind("type", pool.type())
                .bind("labels", pool.labelsText()).bind("every", everyHost)
                .executeAndReturnGeneratedKeys("num").mapTo(Long.class).one();
    }

    public static Optional<Job> find(Handle h, long num) {
        return h.createQuery("select * from jobs where num = :num").bind("num", num)
                .map((rs, ctx) -> new Job(rs.getLong("num"), rs.getString("requester"), Times.read(rs, "filed_at"),
                        Pool.of(rs.getString("pool_type"), rs.getString("pool_labels")), rs.getBoolean("every_host"),
                        List.of()))
                .findOne()
                .map(j -> new Job(j.number(), j.requester(), j.filedAt(), j.pool(), j.everyHost(), RequestRows.ofJob(h, num)));
    }
}
