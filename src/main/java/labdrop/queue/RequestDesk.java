package labdrop.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.error.ConflictException;
import labdrop.error.NotFoundException;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.lab.Lab;
import labdrop.pkg.PackageType;
import labdrop.request.Job;
import labdrop.request.PackagePin;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.QueueRules;
import labdrop.request.Request;
import labdrop.request.RequestLimits;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.HostRows;
import labdrop.store.JobRows;
import labdrop.store.PlacementRows;
import labdrop.store.PoolRows;
import labdrop.store.RequestRows;
import labdrop.store.ResultRows;
import labdrop.store.UserRows;
import org.jdbi.v3.core.Handle;

/** Filing, cancelling and looking up requests: the tester's side of the queue. */
public final class RequestDesk {
    private final Lab lab;
    private final Placer placer;

    public RequestDesk(Lab lab, Placer placer) {
        this.lab = lab;
        this.placer = placer;
    }

    /**
     * Files a request. The request and, when the host is free, its placement commit in one
     * transaction; the placement is then written at once (and by the server's placer if this
     * process dies first). An owner-only host's refusal is stored as a Rejected request.
     */
    public Request file(RequestSpec spec) {
        RequestLimits.check(spec);
        if (spec.pool() != null) {
            return filePool(spec);
        }
        long num = lab.store().tx(h -> {
            Host host = HostRows.lock(h, spec.host()).orElseThrow(() -> noHost(spec.host()));
            if (host.state() == HostState.RETIRED) {
                throw new ConflictException("host '" + host.name() + "' is retired and takes no requests;"
                        + " file for another host (labdrop host list)");
            }
            UserRows.ensure(h, spec.requester(), lab.now());
            Optional<String> rejection = QueueRules.rejection(host.name(), host.owner(), host.ownerOnly(),
                    spec.requester());
            if (rejection.isPresent()) {
                return RequestRows.insert(h, spec, List.of(), RequestState.REJECTED, rejection.get(), lab.now());
            }
            long filed = RequestRows.insert(h, spec, pins(spec), RequestState.QUEUED, null, lab.now());
            Queue.release(h, host, lab.now());
            return filed;
        });
        placer.drain();
        return find(Request.idOf(num));
    }

    /** A pool request as filed: its number and the hosts that may take it (they are offered it at once). */
    private record PoolFiling(long number, List<String> hosts) {
    }

    /**
     * Files a request for a pool: refused at once when no host can ever serve it (no host of the
     * type has the labels, every one is retired, or every one is owner-only for someone else);
     * otherwise queued in the pool, and offered to each matching host that is free now, one host
     * at a time (each offer locks that host, then the pool).
     */
    private Request filePool(RequestSpec spec) {
        Pool pool = spec.pool();
        PoolFiling filed = lab.store().tx(h -> {
            List<Host> members = HostRows.ofType(h, pool.type()).stream().filter(x -> pool.matches(x.type(), x.labels())).toList();
            List<String> serving = members.stream().filter(x -> x.state() != HostState.RETIRED)
                    .filter(x -> QueueRules.rejection(x.name(), x.owner(), x.ownerOnly(), spec.requester()).isEmpty())
                    .map(Host::name).toList();
            if (serving.isEmpty()) {
                throw new ConflictException(unservable(h, pool, members, spec.requester()));
            }
            UserRows.ensure(h, spec.requester(), lab.now());
            PoolRows.ensure(h, pool.type());
            RequestRows.addPoolRequester(h, pool.type(), spec.requester());
            return new PoolFiling(RequestRows.insert(h, spec, pins(spec), RequestState.QUEUED, null, lab.now()),
                    freeNow(members, serving));
        });
        for (String host : filed.hosts()) {
            boolean placed = lab.store().tx(h -> {
                Queue.release(h, host, lab.now());
                return RequestRows.find(h, filed.number()).orElseThrow().state() != RequestState.QUEUED;
            });
            if (placed) {
                break;
            }
        }
        placer.drain();
        return find(Request.idOf(filed.number()));
    }

    /** A job as filed: its number and the hosts that may take its members (they are offered them at once). */
    private record JobFiling(long number, List<String> hosts) {
    }

    /**
     * Files a job on a pool: {@code count} members that run on distinct hosts of it, or one member
     * for every host of it that is neither retired nor in Maint and may take the requester's work
     * ({@code everyHost}). Refused at once when the pool cannot give that many hosts, with the
     * number it can. Each member is an ordinary request; every free host of the pool is offered one.
     */
    public Job fileJob(RequestSpec spec, Integer count, boolean everyHost) {
        RequestLimits.check(spec);
        Pool pool = spec.pool();
        if (pool == null) {
            throw new BadInputException("a job runs on several hosts of a pool: give --type TYPE (and --label) instead"
                    + " of --host");
        }
        if ((count == null) == !everyHost) {
            throw new BadInputException("a job asks for --hosts N (distinct hosts of the pool) or --all (every active"
                    + " host of it); give one of them");
        }
        if (count != null && (count < 1 || count > Job.MAX_HOSTS)) {
            throw new BadInputException("--hosts " + count + " is out of range; a job runs on 1.." + Job.MAX_HOSTS + " hosts");
        }
        List<PackagePin> pins = pins(spec);
        JobFiling filed = lab.store().tx(h -> {
            List<Host> members = HostRows.ofType(h, pool.type()).stream().filter(x -> pool.matches(x.type(), x.labels())).toList();
            List<Host> serving = members.stream().filter(x -> x.state() != HostState.RETIRED)
                    .filter(x -> !everyHost || x.state() != HostState.MAINT)
                    .filter(x -> QueueRules.rejection(x.name(), x.owner(), x.ownerOnly(), spec.requester()).isEmpty())
                    .toList();
            if (serving.isEmpty()) {
                throw new ConflictException(unservable(h, pool, members, spec.requester()));
            }
            if (count != null && count > serving.size()) {
                throw new ConflictException("pool " + pool.label() + " has " + serving.size() + " host"
                        + (serving.size() == 1 ? "" : "s") + " that can take your work (" + String.join(", ",
                        serving.stream().map(Host::name).toList()) + "); ask for --hosts " + serving.size() + " or fewer");
            }
            UserRows.ensure(h, spec.requester(), lab.now());
            PoolRows.ensure(h, pool.type());
            RequestRows.addPoolRequester(h, pool.type(), spec.requester());
            long job = JobRows.insert(h, spec.requester(), pool, everyHost, lab.now());
            if (everyHost) {
                for (Host host : serving) {
                    RequestSpec one = new RequestSpec(host.name(), spec.requester(), spec.tests(), spec.priority(),
                            spec.selfReboot(), spec.kernelInstall(), spec.buildSet(), spec.timeoutSeconds(),
                            spec.repositoryUrl());
                    RequestRows.insert(h, one, pins, RequestState.QUEUED, null, job, lab.now());
                }
            } else {
                for (int i = 0; i < count; i++) {
                    RequestRows.insert(h, spec, pins, RequestState.QUEUED, null, job, lab.now());
                }
            }
            return new JobFiling(job, freeNow(members, serving.stream().map(Host::name).toList()));
        });
        for (String host : filed.hosts()) {
            lab.store().tx(h -> {
                Queue.release(h, host, lab.now());
                return null;
            });
        }
        placer.drain();
        return findJob(Job.idOf(filed.number()));
    }

    public Job findJob(String id) {
        long num = Job.numberOf(id);
        return lab.store().read(h -> num < 0 ? Optional.<Job>empty() : JobRows.find(h, num))
                .orElseThrow(() -> new NotFoundException("no job " + Names.quote(id) + "; job ids look like j-7"
                        + " (labdrop request file --hosts N prints them)"));
    }

    /** Cancels every member of the job that has not ended. */
    public Job cancelJob(String id, String by) {
        for (Request member : findJob(id).members()) {
            if (!member.state().isFinal()) {
                try {
                    cancel(member.id(), by);
                } catch (ConflictException endedMeanwhile) {
                    // it finished between the read and the cancel: nothing to cancel
                }
            }
        }
        return findJob(id);
    }

    /**
     * Of {@code serving}, the hosts that are free now: only they are offered a new pool request at
     * filing (a busy host takes pool work when it frees, at its own release), so filing costs a
     * transaction per free host, not per host of the pool.
     */
    private static List<String> freeNow(List<Host> members, List<String> serving) {
        return members.stream().filter(x -> x.state() == HostState.AVAILABLE).map(Host::name).filter(serving::contains).toList();
    }

    /** Why no host can ever take work from {@code pool} for {@code requester}, and what to do. */
    private static String unservable(Handle h, Pool pool, List<Host> members, String requester) {
        if (members.isEmpty()) {
            List<Host> ofType = HostRows.all(h).stream().filter(x -> x.type().equals(pool.type())).toList();
            if (ofType.isEmpty()) {
                return "no host has type '" + pool.type() + "', so pool " + pool.label() + " can never run a request;"
                        + " labdrop host list shows the hosts and their types (labdrop host add --type " + pool.type()
                        + " adds one)";
            }
            return "no host of type '" + pool.type() + "' has the labels " + pool.labelsText() + " (its hosts: "
                    + String.join(", ", ofType.stream().map(x -> x.name() + " [" + x.labels() + "]").toList())
                    + "); ask for fewer labels, or label a host (labdrop host set NAME --labels ...)";
        }
        if (members.stream().allMatch(x -> x.state() == HostState.RETIRED)) {
            return "every host of pool " + pool.label() + " is retired; it can never run a request";
        }
        return "every host of pool " + pool.label() + " that is not retired is owner-only for another user than '"
                + requester + "'; ask an owner, or an admin to clear owner-only";
    }

    /** Pins every test package of the request from the repositories (refusing one that no repository holds). */
    private List<PackagePin> pins(RequestSpec spec) {
        return pins(lab, spec.tests());
    }

    /** Pins the packages of {@code tests} from the repositories (refusing one that no repository holds). */
    static List<PackagePin> pins(Lab lab, List<TestSpec> tests) {
        return tests.stream().map(TestSpec::packageName).distinct()
                .map(name -> lab.catalog().pin(PackageType.TEST, name))
                .map(p -> new PackagePin(p.type().label(), p.name(), p.file(), p.sha256(), p.size()))
                .toList();
    }

    /** Cancels a request that has not finished; a placed one's XML is removed from the drop. */
    public Request cancel(String id, String by) {
        Names.require("user name", by);
        Request found = find(id);
        if (found.host() == null && cancelInPool(found, by)) {
            return find(id);
        }
        lab.store().tx(h -> {
            HostRows.lock(h, found.host() != null ? found.host() : RequestRows.find(h, found.number()).orElseThrow().host());
            Request request = RequestRows.find(h, found.number()).orElseThrow();
            if (request.state().isFinal()) {
                throw new ConflictException("request " + id + " already ended as " + request.state().label()
                        + "; only Queued, Placed, PickedUp or Running requests can be cancelled");
            }
            RequestRows.setState(h, request.number(), RequestState.CANCELLED, "cancelled by " + by, lab.now());
            if (request.state().isActive()) {
                PlacementRows.add(h, request.number(), request.host(), Placer.REMOVE, lab.now());
                Queue.release(h, HostRows.find(h, request.host()).orElseThrow(), lab.now());
            }
            return null;
        });
        placer.drain();
        return find(id);
    }

    /**
     * Cancels a pool request that no host has claimed, with the pool locked so no host claims it
     * meanwhile; false when a host claimed it first (then it is cancelled as that host's request).
     */
    private boolean cancelInPool(Request found, String by) {
        return lab.store().tx(h -> {
            PoolRows.lock(h, found.pool().type());
            Request request = RequestRows.find(h, found.number()).orElseThrow();
            if (request.host() != null) {
                return false;
            }
            if (request.state().isFinal()) {
                throw new ConflictException("request " + request.id() + " already ended as " + request.state().label()
                        + "; only Queued, Placed, PickedUp or Running requests can be cancelled");
            }
            RequestRows.setState(h, request.number(), RequestState.CANCELLED, "cancelled by " + by, lab.now());
            return true;
        });
    }

    /**
     * Moves a queued request {@code up}, {@code down} or to the {@code top} of its host's queue.
     * The moved request takes the priority of the one it passes, so the queue stays ordered by
     * priority, then rank; the ranks the queue already held are handed out again in the new order.
     */
    public Request move(String id, String direction, String by) {
        Names.require("user name", by);
        Request found = find(id);
        if (found.host() == null) {
            throw new ConflictException("request " + id + " waits in pool " + found.pool().label() + "'s queue, which is"
                    + " placed by priority, then filing order; moves reorder one host's queue");
        }
        lab.store().tx(h -> {
            HostRows.lock(h, found.host());
            List<Request> queue = new ArrayList<>(RequestRows.queued(h, found.host()));
            int at = -1;
            for (int i = 0; i < queue.size(); i++) {
                if (queue.get(i).number() == found.number()) {
                    at = i;
                }
            }
            if (at < 0) {
                throw new ConflictException("request " + id + " is " + found.state().label()
                        + ", not Queued; only queued requests can be moved");
            }
            int to = switch (direction) {
                case "up" -> Math.max(0, at - 1);
                case "down" -> Math.min(queue.size() - 1, at + 1);
                case "top" -> 0;
                default -> throw new BadInputException("move '" + direction
                        + "' is not a direction; use up, down or top");
            };
            if (to == at) {
                return null;
            }
            Request moved = queue.remove(at);
            Priority priority = queue.get(to == 0 || to < at ? to : to - 1).priority();
            queue.add(to, moved);
            List<Long> ranks = queue.stream().map(r -> RequestRows.rank(h, r.number())).sorted().toList();
            for (int i = 0; i < queue.size(); i++) {
                Request r = queue.get(i);
                RequestRows.reorder(h, r.number(), r == moved ? priority : r.priority(), ranks.get(i));
            }
            RequestRows.note(h, moved.number(), RequestState.QUEUED, "moved " + direction + " to place " + (to + 1)
                    + " of " + queue.size() + " by " + by, lab.now());
            return null;
        });
        return find(id);
    }

    public Request find(String id) {
        long num = Request.numberOf(id);
        return lab.store().read(h -> num < 0 ? Optional.<Request>empty() : RequestRows.find(h, num))
                .orElseThrow(() -> new NotFoundException("no request " + Names.quote(id)
                        + "; request ids look like r-42 (labdrop request list shows them)"));
    }

    public List<Request> list(String host, RequestState state, int limit) {
        return list(new RequestRows.Filter(host, state, null, null, null), 0, limit);
    }

    /** Longest free text a request list may be searched for. */
    public static final int MAX_SEARCH_CHARS = 100;
    /** Furthest a request list may be paged (offset), so no call walks the whole history. */
    public static final int MAX_OFFSET = 100_000;

    /**
     * Requests newest first, the {@code limit} after the first {@code offset}, narrowed by host,
     * state, host type, job, requester, test package and free text (each may be null).
     */
    public List<Request> list(RequestRows.Filter filter, int offset, int limit) {
        if (offset < 0 || offset > MAX_OFFSET) {
            throw new BadInputException("offset " + offset + " is out of range 0.." + MAX_OFFSET + "; narrow the list"
                    + " with filters instead of paging that far");
        }
        if (filter.test() != null) {
            Names.require("test package name", filter.test());
        }
        if (filter.text() != null && filter.text().length() > MAX_SEARCH_CHARS) {
            throw new BadInputException("the search text has " + filter.text().length() + " characters; at most "
                    + MAX_SEARCH_CHARS);
        }
        if (filter.host() != null) {
            Names.require("host name", filter.host());
        }
        if (filter.type() != null) {
            Names.require("host type", filter.type());
        }
        if (filter.requester() != null) {
            Names.require("user name", filter.requester());
        }
        return lab.store().read(h -> RequestRows.list(h, filter, offset, limit));
    }

    /** Queue length per host, in one query. */
    /** The host's queued requests in the order they will be placed. */
    public List<Request> queue(String host) {
        return lab.store().read(h -> RequestRows.queued(h, host));
    }

    public Map<String, Integer> queuedPerHost() {
        return lab.store().read(RequestRows::queuedPerHost);
    }

    public List<RequestRows.Event> events(Request request) {
        return lab.store().read(h -> RequestRows.events(h, request.number()));
    }

    public List<ResultRows.TestResult> results(Request request) {
        return lab.store().read(h -> ResultRows.of(h, request.number()));
    }

    public static NotFoundException noHost(String name) {
        return new NotFoundException("no host " + Names.quote(name) + "; labdrop host list shows the hosts,"
                + " labdrop host add creates one");
    }
}
