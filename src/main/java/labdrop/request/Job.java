package labdrop.request;

import java.time.Instant;
import java.util.List;

/**
 * Several requests filed at once on a pool: N distinct hosts of it ({@code --hosts N}) or every
 * active host of it ({@code --all}). Each member is an ordinary request; the job's state is the
 * worst of its members' once they have all ended.
 */
public record Job(long number, String requester, Instant filedAt, Pool pool, boolean everyHost, List<Request> members) {
    /** Most members one job may have. */
    public static final int MAX_HOSTS = 100;

    /** Worst first: the job's outcome is the first of these any member ended in. */
    private static final List<RequestState> WORST_FIRST = List.of(RequestState.ERROR, RequestState.ABORTED,
            RequestState.FAILED, RequestState.REJECTED, RequestState.CANCELLED, RequestState.PASSED);

    public Job {
        members = List.copyOf(members);
    }

    public String id() {
        return idOf(number);
    }

    public static String idOf(long number) {
        return "j-" + number;
    }

    /** The number in {@code j-7}, or -1 when the text is not a job id. */
    public static long numberOf(String id) {
        if (id == null || !id.matches("j-[1-9][0-9]{0,17}")) {
            return -1;
        }
        return Long.parseLong(id.substring(2));
    }

    /**
     * Running while a member is placed or running, Queued while members only wait, otherwise the
     * worst outcome of the members (Error, Aborted, Failed, Rejected, Cancelled, Passed).
     */
    public String state() {
        if (members.stream().anyMatch(r -> r.state().isActive())) {
            return "Running";
        }
        if (members.stream().anyMatch(r -> r.state() == RequestState.QUEUED)) {
            return "Queued";
        }
        return WORST_FIRST.stream().filter(s -> members.stream().anyMatch(r -> r.state() == s)).findFirst()
                .map(RequestState::label).orElse("Passed");
    }
}
