package labdrop.lab;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import labdrop.host.HostState;
import labdrop.request.RequestState;
import org.jdbi.v3.core.Handle;

/**
 * The server's metrics (Prometheus text at /metrics, docs/operations.md): Micrometer's JVM and
 * process binders; the lab's own: requests by state, hosts by state and type, queue length per
 * pool (counted by a few queries per scrape, at most every half second), requests finished by
 * outcome, placement and ingest latency as histograms with SLO buckets, web logins refused. The
 * Jetty, HikariCP, doorbell and SSH meters are registered on {@link #registry()} by their owners.
 */
public final class LabMetrics implements AutoCloseable {
    /** The latency buckets of the placement and ingest histograms: what an operator sets alerts on. */
    static final Duration[] SLO_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30)};
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private JvmGcMetrics gc;
    private final Timer placement;
    private final Timer stateIngest;
    private final Timer resultIngest;
    private final MultiGauge hosts;
    private final MultiGauge queue;
    private Lab lab;
    private volatile Snapshot snapshot = new Snapshot(Instant.EPOCH, Map.of(), Map.of(), Map.of());

    /** One scrape's counts: requests by state, hosts by type then state, queued requests by pool. */
    private record Snapshot(Instant at, Map<String, Long> requests, Map<String, Map<String, Long>> hosts,
                            Map<String, Long> queued) {
    }

    public LabMetrics() {
        this("");
    }

    /** Meters of one node of a cluster (docs/cluster.md): each carries the label {@code node="<id>"}; empty: no label. */
    public LabMetrics(String node) {
        if (!node.isEmpty()) {
            registry.config().commonTags("node", node);
        }
        placement = latency("labdrop.placement", "From a placement's commit to its file in the drop");
        stateIngest = latency("labdrop.state.ingest", "Reading, checking and applying one state_file");
        resultIngest = latency("labdrop.result.ingest", "Reading, checking and applying one result.xml and its cases");
        hosts = MultiGauge.builder("labdrop.hosts").description("Hosts by state and type").register(registry);
        queue = MultiGauge.builder("labdrop.queue.length")
                .description("Queued requests by pool (host type), whether filed for the pool or one of its hosts")
                .register(registry);
    }

    private Timer latency(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(SLO_BUCKETS)
                .minimumExpectedValue(SLO_BUCKETS[0]).maximumExpectedValue(SLO_BUCKETS[SLO_BUCKETS.length - 1])
                .register(registry);
    }

    /** Counts requests, hosts and queues from {@code lab}'s store at each scrape. */
    public void bindCounts(Lab lab) {
        this.lab = lab;
        for (RequestState state : RequestState.values()) {
            Gauge.builder("labdrop.requests", this, m -> m.counts().requests().getOrDefault(state.name(), 0L))
                    .description("Requests by state").tag("state", state.label()).register(registry);
        }
    }

    /** The Prometheus text of every meter, with the lab's counts read fresh (at most every half second). */
    public String scrape() {
        if (lab != null) {
            Snapshot counts = counts();
            List<MultiGauge.Row<?>> hostRows = new ArrayList<>();
            counts.hosts().forEach((type, byState) -> {
                for (HostState state : HostState.values()) {
                    hostRows.add(MultiGauge.Row.of(Tags.of("type", type, "state", state.label()),
                            byState.getOrDefault(state.name(), 0L)));
                }
            });
            hosts.register(hostRows, true);
            Map<String, Long> queued = new TreeMap<>();
            counts.hosts().keySet().forEach(type -> queued.put(type, 0L));
            queued.putAll(counts.queued());
            queue.register(queued.entrySet().stream()
                    .map(e -> MultiGauge.Row.of(Tags.of("pool", e.getKey()), e.getValue())).toList(), true);
        }
        return registry.scrape();
    }

    /** One set of queries serves every gauge of a scrape. */
    private Snapshot counts() {
        Snapshot current = snapshot;
        if (Duration.between(current.at(), Instant.now()).toMillis() > 500) {
            current = lab.store().read(h -> new Snapshot(Instant.now(),
                    count(h, "select state, count(*) from requests group by state"),
                    hostsByType(h),
                    count(h, """
                            select coalesce(r.pool_type, h.type), count(*) from requests r left join hosts h on h.name = r.host
                            where r.state = 'QUEUED' group by coalesce(r.pool_type, h.type)""")));
            snapshot = current;
        }
        return current;
    }

    private record HostCount(String type, String state, long hosts) {
    }

    /** Every host type with its hosts counted by state (a type whose hosts are all in one state still shows the others as 0). */
    private static Map<String, Map<String, Long>> hostsByType(Handle h) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        h.createQuery("select type, state, count(*) from hosts group by type, state")
                .map((rs, ctx) -> new HostCount(rs.getString(1), rs.getString(2), rs.getLong(3)))
                .forEach(c -> out.computeIfAbsent(c.type(), t -> new TreeMap<>()).put(c.state(), c.hosts()));
        return out;
    }

    private static Map<String, Long> count(Handle h, String sql) {
        Map<String, Long> out = new TreeMap<>();
        h.createQuery(sql).map((rs, ctx) -> Map.entry(String.valueOf(rs.getString(1)), rs.getLong(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    public void placed(Duration sinceCommit) {
        placement.record(sinceCommit);
    }

    public void stateIngested(Duration took) {
        stateIngest.record(took);
    }

    public void resultIngested(Duration took) {
        resultIngest.record(took);
    }

    /** A request reached a final state: counted by its outcome (Passed, Failed, Error, Aborted, Cancelled, Rejected). */
    public void finished(RequestState outcome) {
        Counter.builder("labdrop.requests.finished").description("Requests that reached a final state, by outcome")
                .tag("outcome", outcome.label()).register(registry).increment();
    }

    /** A refused web login: {@code reason} is {@code password} (wrong password or account) or {@code throttled}. */
    public void loginRefused(String reason) {
        Counter.builder("labdrop.login.refused")
                .description("Web logins refused, by reason (password, throttled)").tag("reason", reason)
                .register(registry).increment();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * The JVM's and the process's meters (memory, GC, threads, classes, CPU, uptime, file
     * descriptors): the server's, bound when it starts; a CLI command that opens the store has no
     * use for them.
     */
    public synchronized void bindProcess() {
        if (gc != null) {
            return;
        }
        gc = new JvmGcMetrics();
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    @Override
    public synchronized void close() {
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
