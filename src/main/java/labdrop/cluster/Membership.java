package labdrop.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import labdrop.config.ServerConfig;
import labdrop.lab.Lab;
import labdrop.store.NodeRows;
import labdrop.store.TimerRunRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's place in the cluster (docs/cluster.md): it writes its row in cluster_nodes at start,
 * a heartbeat every {@code cluster.heartbeat} (the heartbeat route), and a clean stop; it records
 * each run of a lab-wide timer with the tick it was scheduled for; it lists every node with its
 * state. With {@code cluster.enabled = false} it writes nothing and lists nothing.
 */
public final class Membership {
    /** How long runs of lab-wide timers are kept in timer_runs. */
    static final Duration KEEP_RUNS = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    private final Lab lab;
    private final ServerConfig.Cluster config;
    private final String version;
    private volatile boolean started;
    private volatile String lastTimer = "";
    private Instant lastPurge = Instant.EPOCH;

    public Membership(Lab lab, ServerConfig.Cluster config, String version) {
        this.lab = lab;
        this.config = config;
        this.version = version;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** This node's id; empty when the server runs alone. */
    public String nodeId() {
        return config.nodeId();
    }

    public Duration deadAfter() {
        return config.deadAfter();
    }

    /** The node joins (or rejoins, after a restart) with the address it answers on. */
    public void start(String address) {
        if (!config.enabled()) {
            return;
        }
        lab.store().tx(h -> {
            NodeRows.started(h, config.nodeId(), version, address, lab.now());
            return null;
        });
        started = true;
        LOG.info("cluster: node '{}' ({}) joined, answering at {}", config.nodeId(), version, address);
    }

    /** The heartbeat route's call: this node is alive, and what it last did. */
    public void heartbeat() {
        if (!started) {
            return;
        }
        Instant now = lab.now();
        lab.store().tx(h -> {
            NodeRows.heartbeat(h, config.nodeId(), lastTimer.isEmpty() ? "serving" : "serving; " + lastTimer, now);
            return null;
        });
        if (lastPurge.plus(Duration.ofHours(1)).isBefore(now)) {
            lastPurge = now;
            lab.store().tx(h -> TimerRunRows.deleteBefore(h, now.minus(KEEP_RUNS)));
        }
    }

    /**
     * A lab-wide timer ran on this node for the tick {@code scheduled} (Quartz's scheduled fire
     * time): recorded, so that an operator (and the cluster test) sees each tick ran once.
     */
    public void timerRan(String timer, Date scheduled) {
        if (!started) {
            return;
        }
        Instant tick = scheduled == null ? lab.now() : scheduled.toInstant();
        lab.store().tx(h -> {
            TimerRunRows.insert(h, new TimerRunRows.Run(timer, tick, config.nodeId(), lab.now()));
            return null;
        });
        lastTimer = "ran " + timer + " for " + tick;
    }

    /** A clean stop: the node is shown stopped, not dead. */
    public void stop() {
        if (!started) {
            return;
        }
        started = false;
        try {
            lab.store().tx(h -> {
                NodeRows.stopped(h, config.nodeId(), lab.now());
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("cluster: could not mark node '{}' stopped ({}); it shows dead after {}", config.nodeId(),
                    e.getMessage(), config.deadAfter());
        }
    }

    /**
     * {@code labdrop_cluster_nodes{state}}: the nodes alive, dead and stopped as this node sees them
     * (each meter also carries this node's {@code node} label); nothing when the server runs alone.
     */
    public void measure(MeterRegistry registry) {
        if (!config.enabled()) {
            return;
        }
        for (Node.State state : Node.State.values()) {
            Gauge.builder("labdrop.cluster.nodes", this, m -> m.nodes().stream().filter(n -> n.state() == state).count())
                    .description("The cluster's server nodes by state, from their heartbeats").tag("state", state.label())
                    .register(registry);
        }
    }

    /** Every node that joined, by id, with its state now. */
    public List<Node> nodes() {
        Instant now = lab.now();
        return lab.store().read(NodeRows::all).stream().map(row -> Node.of(row, now, config.deadAfter())).toList();
    }
}
