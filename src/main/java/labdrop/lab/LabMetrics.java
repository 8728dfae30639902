package labdrop.lab;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import labdrop.host.HostState;
import labdrop.request.RequestState;
import org.jdbi.v3.core.Handle;

/**
 * The server's metrics (Prometheus format at /metrics): requests and hosts by state (counted by
 * one query per scrape), placement latency (outbox row to file in the drop) and state-ingest time.
 */
public final class LabMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer placement;
    private final Timer stateIngest;
    private volatile Snapshot snapshot = new Snapshot(Instant.EPOCH, Map.of(), Map.of());

    private record Snapshot(Instant at, Map<String, Long> requests, Map<String, Long> hosts) {
    }

    public LabMetrics() {
        placement = Timer.builder("labdrop.placement").description("From a placement's commit to its file in the drop")
                .publishPercentiles(0.5, 0.99).register(registry);
        stateIngest = Timer.builder("labdrop.state.ingest").description("Reading, checking and applying one state_file")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    public void bindCounts(Lab lab) {
        for (RequestState state : RequestState.values()) {
            gauge("labdrop.requests", "Requests by state", "state", state.label(), lab,
                    l -> counts(l).requests().getOrDefault(state.name(), 0L));
        }
        for (HostState state : HostState.values()) {
            gauge("labdrop.hosts", "Hosts by state", "state", state.label(), lab,
                    l -> counts(l).hosts().getOrDefault(state.name(), 0L));
        }
    }

    private void gauge(String name, String doc, String tag, String value, Lab lab, ToDoubleFunction<Lab> f) {
        Gauge.builder(name, lab, f).description(doc).tag(tag, value).register(registry);
    }

    /** One pair of queries serves every gauge of a scrape. */
    private Snapshot counts(Lab lab) {
        Snapshot current = snapshot;
        if (Duration.between(current.at(), Instant.now()).toMillis() > 500) {
            current = lab.store().read(h -> new Snapshot(Instant.now(),
                    count(h, "select state, count(*) from requests group by state"),
                    count(h, "select state, count(*) from hosts group by state")));
            snapshot = current;
        }
        return current;
    }

    private static Map<String, Long> count(Handle h, String sql) {
        Map<String, Long> out = new HashMap<>();
        h.createQuery(sql).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    public void placed(Duration sinceCommit) {
        placement.record(sinceCommit);
    }

    public void stateIngested(Duration took) {
        stateIngest.record(took);
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
}
