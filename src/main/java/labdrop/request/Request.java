package labdrop.request;

import java.time.Instant;
import java.util.List;

/**
 * A request as the store holds it. The id is {@code r-<number>}, issued by the store; its
 * {@code queueRank} is its place in its host's queue among requests of the same priority (its
 * number until it is moved, docs/cli.md). A request for a {@code pool} has no host until it is
 * placed on one of the pool's hosts. A member of a job carries the job's number. A health check is
 * a request of the system user {@code lab} that its host runs before any other work. Its
 * {@code placementEpoch} is the host's epoch taken when it was placed (0 before), written into the
 * request file by a cluster node so that an agent can refuse a stale placement (docs/cluster.md).
 */
public record Request(long number, String host, String requester, Instant filedAt, Priority priority,
                      RequestState state, String reason, boolean selfReboot, String kernelInstall,
                      String buildSet, Integer timeoutSeconds, Instant placedAt, Instant finishedAt,
                      List<TestSpec> tests, List<PackagePin> packages, String repositoryUrl,
                      long queueRank, Pool pool, Long job, boolean healthCheck, long placementEpoch) {

    public String id() {
        return idOf(number);
    }

    public static String idOf(long number) {
        return "r-" + number;
    }

    /** The number in {@code r-42}, or -1 when the text is not a request id this server issued. */
    public static long numberOf(String id) {
        if (id == null || !id.matches("r-[1-9][0-9]{0,17}")) {
            return -1;
        }
        return Long.parseLong(id.substring(2));
    }
}
