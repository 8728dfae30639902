package labdrop.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import labdrop.event.EventKind;
import labdrop.request.PackagePin;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.QueueRules;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import org.jdbi.v3.core.Handle;

/** Rows of the requests, request_tests and request_events tables. */
public final class RequestRows {
    private static final String ACTIVE = "('PLACED','PICKED_UP','RUNNING')";
    /** Most request numbers one {@code in (...)} list binds when tests and packages are read for many requests. */
    private static final int CHUNK = 1000;
    /** Between a test's arguments in request_tests.args (a character no argument may hold). */
    private static final String ARG_SEPARATOR = "\u001f";

    private RequestRows() {
    }

    /** Inserts a new request in {@code state}; returns its number. */
    public static long insert(Handle h, RequestSpec spec, List<PackagePin> pins, RequestState state, String reason,
                              Instant now) {
        return insert(h, spec, pins, state, reason, null, now);
    }

    /** Inserts a new request in {@code state}, a member of job {@code job} (or of none); returns its number. */
    public static long insert(Handle h, RequestSpec spec, List<PackagePin> pins, RequestState state, String reason,
                              Long job, Instant now) {
        long num = h.createUpdate("""
                insert into requests (host, requester, filed_at, priority, state, reason, self_reboot,
                                      kernel_install, build_set, timeout_seconds, repository_url, updated_at,
                                      pool_type, pool_labels, job_num, confirm_failures, avoid_host)
                values (:host, :requester, :now, :priority, :state, :reason, :reboot, :kernel, :buildSet,
                        :timeout, :repo, :now, :poolType, :poolLabels, :job, :confirm, :avoid)""")
                .bind("confirm", spec.confirmFailures())
                .bind("avoid", spec.pool() == null ? null : spec.pool().avoid())
                .bind("job", job)
                .bind("host", spec.host())
                .bind("poolType", spec.pool() == null ? null : spec.pool().type())
                .bind("poolLabels", spec.pool() == null ? null : spec.pool().labelsText()).bind("requester", spec.requester()).bind("now", Times.bind(now))
                .bind("priority", spec.priority().rank()).bind("state", state.name()).bind("reason", reason)
                .bind("reboot", spec.selfReboot()).bind("kernel", spec.kernelInstall())
                .bind("buildSet", spec.buildSet()).bind("timeout", spec.timeoutSeconds())
                .bind("repo", spec.repositoryUrl())
                .executeAndReturnGeneratedKeys("num").mapTo(Long.class).one();
        int index = 1;
        for (TestSpec test : spec.tests()) {
            h.createUpdate("""
                    insert into request_tests (request_num, idx, package, control, args, timeout_seconds)
                    values (:num, :idx, :pkg, :control, :args, :timeout)""")
                    .bind("num", num).bind("idx", index++).bind("pkg", test.packageName())
                    .bind("control", test.control()).bind("args", String.join(ARG_SEPARATOR, test.args()))
                    .bind("timeout", test.timeoutSeconds()).execute();
        }
        int pinIndex = 1;
        for (PackagePin pin : pins) {
            h.createUpdate("""
                    insert into request_packages (request_num, idx, type, name, file, sha256, size)
                    values (:num, :idx, :type, :name, :file, :sha256, :size)""")
                    .bind("num", num).bind("idx", pinIndex++).bind("type", pin.type()).bind("name", pin.name())
                    .bind("file", pin.file()).bind("sha256", pin.sha256()).bind("size", pin.size()).execute();
        }
        event(h, num, state, reason, now);
        return num;
    }

    /** Marks a new request as its host's health check. */
    /** Marks request {@code num} as the confirmation of request {@code original}'s new failures. */
    public static void markConfirmation(Handle h, long num, long original) {
        h.createUpdate("update requests set confirms = :original where num = :num").bind("original", original)
                .bind("num", num).execute();
    }

    /** The request {@code num} confirms, when it is a confirmation. */
    public static Optional<Long> confirms(Handle h, long num) {
        return h.createQuery("select confirms from requests where num = :num").bind("num", num)
                .mapTo(Long.class).findOne().filter(o -> o != null);
    }

    /** True when request {@code num} asked to confirm its new failures. */
    public static boolean confirmWanted(Handle h, long num) {
        return h.createQuery("select confirm_failures from requests where num = :num").bind("num", num)
                .mapTo(Boolean.class).findOne().orElse(false);
    }

    /** The confirmation filed for request {@code num}, if one was. */
    public static Optional<Long> confirmationOf(Handle h, long num) {
        return h.createQuery("select num from requests where confirms = :num").bind("num", num).mapTo(Long.class)
                .findFirst();
    }

    public static void markHealthCheck(Handle h, long num) {
        h.createUpdate("update requests set health_check = true where num = :num").bind("num", num).execute();
    }

    /** The host's health check that has not ended yet, if one is queued or running. */
    public static Optional<Request> unfinishedHealthCheck(Handle h, String host) {
        return query(h, "where host = :host and health_check and state in ('QUEUED','PLACED','PICKED_UP','RUNNING')",
                Map.of("host", host)).stream().findFirst();
    }

    public static Optional<Request> find(Handle h, long num) {
        return query(h, "where num = :num", Map.of("num", num)).stream().findFirst();
    }

    /** The host's placed-and-unfinished request, if any (at most one). */
    public static Optional<Request> active(Handle h, String host) {
        return query(h, "where host = :host and state in " + ACTIVE, Map.of("host", host)).stream().findFirst();
    }

    /** The ids of every request placed on a host and not finished, by host, oldest first: the results the server waits for. */
    public static Map<String, List<String>> activeIds(Handle h) {
        Map<String, List<String>> ids = new HashMap<>();
        h.createQuery("select num, host from requests where state in " + ACTIVE + " order by num")
                .map((rs, ctx) -> Map.entry(rs.getString(2), Request.idOf(rs.getLong(1))))
                .forEach(e -> ids.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return ids;
    }

    /** The requests placed on {@code host} and not finished: the server waits for their results. */
    public static List<Request> activeOn(Handle h, String host) {
        return query(h, "where host = :host and state in " + ACTIVE + " order by num", Map.of("host", host));
    }

    /**
     * The placed-and-unfinished request of each of {@code hosts} that has one, by host: one query
     * (and one each for their tests and packages) per 1,000 hosts.
     */
    public static Map<String, Request> activeOn(Handle h, List<String> hosts) {
        Map<String, Request> out = new HashMap<>();
        for (int from = 0; from < hosts.size(); from += CHUNK) {
            List<String> chunk = hosts.subList(from, Math.min(hosts.size(), from + CHUNK));
            query(h, "where host in (<hosts>) and state in " + ACTIVE, Map.of("hosts", chunk))
                    .forEach(r -> out.put(r.host(), r));
        }
        return out;
    }

    /** The host's queue in placement order: {@link QueueRules#PLACEMENT_ORDER} is the one definition of it. */
    public static List<Request> queued(Handle h, String host) {
        List<Request> queue = new ArrayList<>(query(h, "where host = :host and state = 'QUEUED'", Map.of("host", host)));
        queue.sort(QueueRules.PLACEMENT_ORDER);
        return queue;
    }

    /** The queued requests of every pool of host type {@code type} (the caller matches labels and owners). */
    public static List<Request> queuedForPool(Handle h, String type) {
        return query(h, "where pool_type = :type and state = 'QUEUED' and host is null", Map.of("type", type));
    }

    /** True when some pool request of host type {@code type} is queued. */
    public static boolean anyQueuedForPool(Handle h, String type) {
        return h.createQuery("select num from requests where pool_type = :type and state = 'QUEUED' and host is null"
                + " fetch first 1 rows only").bind("type", type).mapTo(Long.class).findOne().isPresent();
    }

    /** Everyone who has filed pool work for host type {@code type} (their {@code pool_shares} rows). */
    public static List<String> poolRequesters(Handle h, String type) {
        return h.createQuery("select requester from pool_shares where pool_type = :type order by requester")
                .bind("type", type).mapTo(String.class).list();
    }

    /**
     * One page of {@code requester}'s queued requests for pool type {@code type} in placement order
     * (priority, then number: pool requests are never moved), read through the index
     * {@code requests_pool_queue} without their tests and packages (a free host only chooses from
     * them; the chosen one is read again whole).
     */
    public static List<Request> poolQueueOf(Handle h, String type, String requester, int offset, int limit) {
        // No "host is null": a queued pool request has none, and naming host lets H2 pick the
        // (host, state) index and read every queued pool request of every type.
        return h.createQuery("select * from requests where pool_type = :type and state = 'QUEUED' and requester = :requester"
                        + " order by priority desc, num offset " + offset + " rows fetch first " + limit + " rows only")
                .bind("type", type).bind("requester", requester).map((rs, ctx) -> map(rs, List.of())).list();
    }

    /**
     * Notes, at filing, that {@code requester} files pool work for {@code type}, so free hosts of the
     * type look at their queue (a row that exists is left as it is).
     */
    public static void addPoolRequester(Handle h, String type, String requester) {
        if (UserRows.isPostgres(h)) {
            h.createUpdate("insert into pool_shares (pool_type, requester) values (:type, :requester) on conflict do nothing")
                    .bind("type", type).bind("requester", requester).execute();
        } else {
            h.createUpdate("merge into pool_shares (pool_type, requester) key (pool_type, requester) values (:type, :requester)")
                    .bind("type", type).bind("requester", requester).execute();
        }
    }

    /** The jobs that already have a member placed on (or run by) {@code host}: it takes no other member of them. */
    public static Set<Long> jobsOn(Handle h, String host) {
        return new HashSet<>(h.createQuery("select distinct job_num from requests where host = :host and job_num is not null")
                .bind("host", host).mapTo(Long.class).list());
    }

    /** The members of job {@code job}, in filing order. */
    public static List<Request> ofJob(Handle h, long job) {
        return query(h, "where job_num = :job order by num", Map.of("job", job));
    }

    /** How long a finished run took, and which tests it ran (their package names, in order). */
    public record Run(String tests, Duration took) {
    }

    /**
     * The last {@code limit} runs that ended Passed or Failed on hosts of {@code type}, newest first:
     * two queries however many runs (the request page's live feed asks for them while it waits).
     */
    public static List<Run> recentRuns(Handle h, String type, int limit) {
        String recent = """
                select r.num from requests r join hosts ho on ho.name = r.host
                where ho.type = :type and r.state in ('PASSED', 'FAILED') and r.placed_at is not null
                  and r.finished_at is not null
                order by r.num desc""" + " fetch first " + limit + " rows only";
        Map<Long, List<String>> tests = new LinkedHashMap<>();
        h.createQuery("select request_num, package from request_tests where request_num in (" + recent + ")"
                        + " order by request_num, idx").bind("type", type)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .forEach(e -> tests.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return h.createQuery("select num, placed_at, finished_at from requests where num in (" + recent + ") order by num desc")
                .bind("type", type)
                .map((rs, ctx) -> new Run(String.join(",", tests.getOrDefault(rs.getLong("num"), List.of())),
                        Duration.between(Times.read(rs, "placed_at"), Times.read(rs, "finished_at"))))
                .list();
    }

    /** A request's tests as a run's signature: their package names, in order. */
    public static String testsOf(List<TestSpec> tests) {
        return String.join(",", tests.stream().map(TestSpec::packageName).toList());
    }

    /** When each requester last had a pool request of host type {@code type} placed (fair sharing). */
    public static Map<String, Instant> lastPoolPlacements(Handle h, String type) {
        Map<String, Instant> last = new LinkedHashMap<>();
        h.createQuery("select requester, last_placed_at from pool_shares where pool_type = :type and last_placed_at is not null")
                .bind("type", type)
                .map((rs, ctx) -> Map.entry(rs.getString("requester"), Times.read(rs, "last_placed_at")))
                .forEach(e -> last.put(e.getKey(), e.getValue()));
        return last;
    }

    /** Records that {@code requester} had a request of pool {@code type} placed at {@code at} (with the pool's row locked). */
    public static void recordPoolPlacement(Handle h, String type, String requester, Instant at) {
        h.createUpdate("update pool_shares set last_placed_at = :at where pool_type = :type and requester = :requester")
                .bind("at", Times.bind(at)).bind("type", type).bind("requester", requester).execute();
    }

    /** Gives a queued pool request the host it is placed on (with the pool's row locked). */
    public static void claim(Handle h, long num, String host) {
        int claimed = h.createUpdate("update requests set host = :host where num = :num and host is null and state = 'QUEUED'")
                .bind("host", host).bind("num", num).execute();
        if (claimed != 1) {
            throw new IllegalStateException("request " + num + " was claimed twice; the pool lock did not hold");
        }
    }

    /** How many requests are queued per host (hosts with none are absent; pool requests are counted per pool). */
    public static Map<String, Integer> queuedPerHost(Handle h) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        h.createQuery("select host, count(*) from requests where state = 'QUEUED' and host is not null group by host")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2))).forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    /** How many pool requests wait for a host, per host type (types with none are absent). */
    public static Map<String, Integer> queuedPerPoolType(Handle h) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        h.createQuery("select pool_type, count(*) from requests where state = 'QUEUED' and host is null group by pool_type")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2))).forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    public static List<Request> allActive(Handle h) {
        return query(h, "where state in " + ACTIVE + " order by num", Map.of());
    }

    public static List<Request> list(Handle h, String host, RequestState state, int limit) {
        return list(h, new Filter(host, state, null, null, null, null, null), 0, limit);
    }

    /**
     * What a request list may be narrowed to (null: any): its host, state, host type (a pool of the
     * type, or a host of it), job, requester, a test package it runs, and free text (found, case
     * aside, in its id, requester, host, pool type, reason, or a test's package or arguments).
     */
    public record Filter(String host, RequestState state, String type, Long job, String requester, String test,
                         String text) {
        public Filter(String host, RequestState state, String type, Long job, String requester) {
            this(host, state, type, job, requester, null, null);
        }
    }

    /** Requests newest first, the {@code limit} after the first {@code offset}, narrowed by {@code filter}. */
    public static List<Request> list(Handle h, Filter filter, int offset, int limit) {
        Map<String, Object> binds = new LinkedHashMap<>();
        List<String> where = new ArrayList<>();
        if (filter.host() != null) {
            where.add("host = :host");
            binds.put("host", filter.host());
        }
        if (filter.state() != null) {
            where.add("state = :state");
            binds.put("state", filter.state().name());
        }
        if (filter.type() != null) {
            where.add("(pool_type = :type or host in (select name from hosts where type = :type))");
            binds.put("type", filter.type());
        }
        if (filter.job() != null) {
            where.add("job_num = :job");
            binds.put("job", filter.job());
        }
        if (filter.requester() != null) {
            where.add("requester = :requester");
            binds.put("requester", filter.requester());
        }
        if (filter.test() != null) {
            where.add("num in (select request_num from request_tests where package = :test)");
            binds.put("test", filter.test());
        }
        if (filter.text() != null) {
            long id = Request.numberOf(filter.text().strip().toLowerCase(Locale.ROOT));
            where.add("(num = :id or lower(requester) like :text escape '!' or lower(coalesce(host, '')) like :text escape '!'"
                    + " or lower(coalesce(pool_type, '')) like :text escape '!' or lower(coalesce(reason, '')) like :text escape '!'"
                    + " or num in (select request_num from request_tests where lower(package) like :text escape '!'"
                    + " or lower(replace(args, :separator, ' ')) like :text escape '!'))");
            binds.put("separator", ARG_SEPARATOR);
            binds.put("id", id);
            binds.put("text", "%" + filter.text().toLowerCase(Locale.ROOT).replaceAll("[!%_]", "!$0") + "%");
        }
        String clause = (where.isEmpty() ? "" : "where " + String.join(" and ", where))
                + " order by num desc offset " + offset + " rows fetch first " + limit + " rows only";
        return query(h, clause, binds);
    }

    public static void setState(Handle h, long num, RequestState state, String reason, Instant now) {
        setState(h, num, state, reason, reason, now);
    }

    /** As above, with a timeline note that is not the request's reason (e.g. which pool host took it). */
    public static void setState(Handle h, long num, RequestState state, String reason, String note, Instant now) {
        h.createUpdate("""
                update requests set state = :state, reason = coalesce(:reason, reason), updated_at = :now,
                    placed_at = case when :state = 'PLACED' then :now else placed_at end,
                    finished_at = case when :final then :now else finished_at end
                where num = :num""")
                .bind("state", state.name()).bind("reason", reason).bind("now", Times.bind(now))
                .bind("final", state.isFinal()).bind("num", num).execute();
        event(h, num, state, note, now);
        if (state.isFinal()) {
            h.createQuery("select host, job_num from requests where num = :num").bind("num", num)
                    .map((rs, ctx) -> Map.entry(Optional.ofNullable(rs.getString("host")),
                            Optional.ofNullable(rs.getObject("job_num", Long.class))))
                    .findOne().ifPresent(row -> EventRows.add(h, EventKind.REQUEST_FINISHED, row.getKey().orElse(null), num,
                            row.getValue().orElse(null), state.label() + (reason == null ? "" : ": " + reason), now));
        }
    }

    public static List<Event> events(Handle h, long num) {
        return h.createQuery("select at, state, note from request_events where request_num = :num order by id")
                .bind("num", num)
                .map((rs, ctx) -> new Event(Times.read(rs, "at"), RequestState.valueOf(rs.getString("state")),
                        rs.getString("note")))
                .list();
    }

    /** One entry of a request's state timeline. */
    public record Event(Instant at, RequestState state, String note) {
    }

    /** Gives a queued request a new priority and place among its host's queue (see RequestDesk.move). */
    public static void reorder(Handle h, long num, Priority priority, long rank) {
        h.createUpdate("update requests set priority = :priority, queue_rank = :rank where num = :num")
                .bind("priority", priority.rank()).bind("rank", rank).bind("num", num).execute();
    }

    /** The current queue rank of a request (its number until it is reordered). */
    public static long rank(Handle h, long num) {
        return h.createQuery("select coalesce(queue_rank, num) from requests where num = :num").bind("num", num)
                .mapTo(Long.class).one();
    }

    /** Records a note on the request's timeline without changing its state. */
    public static void note(Handle h, long num, RequestState state, String note, Instant now) {
        event(h, num, state, note, now);
    }

    /** Filing, placing and finishing times of the requests of one host (or all) touching the window since {@code since}. */
    public static List<Span> spans(Handle h, String host, Instant since) {
        var q = h.createQuery("select state, filed_at, placed_at, finished_at from requests"
                + " where (finished_at is null or finished_at >= :since)" + (host == null ? "" : " and host = :host"))
                .bind("since", Times.bind(since));
        if (host != null) {
            q.bind("host", host);
        }
        return q.map((rs, ctx) -> new Span(RequestState.valueOf(rs.getString("state")), Times.read(rs, "filed_at"),
                Times.read(rs, "placed_at"), Times.read(rs, "finished_at"))).list();
    }

    /** When a request was filed, placed and finished, with its state now: what the charts are drawn from. */
    public record Span(RequestState state, Instant filed, Instant placed, Instant finished) {
    }

    private static void event(Handle h, long num, RequestState state, String note, Instant now) {
        h.createUpdate("insert into request_events (request_num, at, state, note) values (:num, :now, :state, :note)")
                .bind("num", num).bind("now", Times.bind(now)).bind("state", state.name()).bind("note", note).execute();
    }

    private static List<Request> query(Handle h, String clause, Map<String, Object> binds) {
        var q = h.createQuery("select * from requests " + clause);
        binds.forEach((name, value) -> {
            if (value instanceof List<?> list) {
                q.bindList(name, list);
            } else {
                q.bind(name, value);
            }
        });
        List<Request> rows = q.map((rs, ctx) -> map(rs, List.of())).list();
        Map<Long, List<TestSpec>> tests = new HashMap<>();
        Map<Long, List<PackagePin>> pins = new HashMap<>();
        List<Long> nums = rows.stream().map(Request::number).toList();
        for (int from = 0; from < nums.size(); from += CHUNK) {
            List<Long> chunk = nums.subList(from, Math.min(nums.size(), from + CHUNK));
            h.createQuery("select * from request_tests where request_num in (<nums>) order by request_num, idx")
                    .bindList("nums", chunk).map((rs, ctx) -> Map.entry(rs.getLong("request_num"), test(rs)))
                    .forEach(e -> tests.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            h.createQuery("select * from request_packages where request_num in (<nums>) order by request_num, idx")
                    .bindList("nums", chunk).map((rs, ctx) -> Map.entry(rs.getLong("request_num"), pin(rs)))
                    .forEach(e -> pins.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        List<Request> withTests = new ArrayList<>(rows.size());
        for (Request r : rows) {
            withTests.add(new Request(r.number(), r.host(), r.requester(), r.filedAt(), r.priority(), r.state(),
                    r.reason(), r.selfReboot(), r.kernelInstall(), r.buildSet(), r.timeoutSeconds(), r.placedAt(),
                    r.finishedAt(), tests.getOrDefault(r.number(), List.of()), pins.getOrDefault(r.number(), List.of()),
                    r.repositoryUrl(), r.queueRank(), r.pool(), r.job(), r.healthCheck(), r.placementEpoch()));
        }
        return withTests;
    }

    private static TestSpec test(ResultSet rs) throws SQLException {
        return new TestSpec(rs.getString("package"), rs.getString("control"),
                rs.getString("args").isEmpty() ? List.of() : Arrays.asList(rs.getString("args").split(ARG_SEPARATOR)),
                (Integer) rs.getObject("timeout_seconds"));
    }

    private static PackagePin pin(ResultSet rs) throws SQLException {
        return new PackagePin(rs.getString("type"), rs.getString("name"), rs.getString("file"), rs.getString("sha256"),
                rs.getLong("size"));
    }

    private static Request map(ResultSet rs, List<TestSpec> tests) throws SQLException {
        return new Request(rs.getLong("num"), rs.getString("host"), rs.getString("requester"),
                Times.read(rs, "filed_at"), Priority.ofRank(rs.getInt("priority")),
                RequestState.valueOf(rs.getString("state")), rs.getString("reason"), rs.getBoolean("self_reboot"),
                rs.getString("kernel_install"), rs.getString("build_set"), (Integer) rs.getObject("timeout_seconds"),
                Times.read(rs, "placed_at"), Times.read(rs, "finished_at"), tests, List.of(),
                rs.getString("repository_url"), rs.getObject("queue_rank") == null ? rs.getLong("num") : rs.getLong("queue_rank"),
                rs.getString("pool_type") == null ? null : Pool.of(rs.getString("pool_type"), rs.getString("pool_labels"))
                        .avoiding(rs.getString("avoid_host")),
                rs.getObject("job_num") == null ? null : rs.getLong("job_num"), rs.getBoolean("health_check"),
                rs.getLong("placement_epoch"));
    }

    /** The placement epoch the host issued for this request's placement (docs/cluster.md). */
    public static void setPlacementEpoch(Handle h, long num, long epoch) {
        h.createUpdate("update requests set placement_epoch = :epoch where num = :num").bind("epoch", epoch).bind("num", num)
                .execute();
    }
}
