package labdrop.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import labdrop.config.ServerConfig;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.lab.Lab;
import labdrop.log.LogContext;
import labdrop.queue.HealthChecks;
import labdrop.queue.Placer;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.request.WatchdogRules;
import labdrop.store.HostRows;
import labdrop.store.PlacementRows;
import labdrop.store.RequestRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's watchdog, fired by the Quartz route: a host with a placed request that sends no
 * state within the heartbeat window becomes Lost (and, when configured, is hard-reset once);
 * after a further grace period its request becomes Aborted (infrastructure), never Failed.
 * Silence is measured from the server's own receive time, never the SUT's clock. Each pass also
 * files the health checks whose interval has passed ({@link HealthChecks#fileDue}).
 */
public final class Watchdog {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    private final Lab lab;
    private final Placer placer;
    private final ServerConfig.Watchdog policy;
    private final HardReset hardReset;
    private final HealthChecks health;

    public Watchdog(Lab lab, Placer placer, HealthChecks health, ServerConfig.Watchdog policy, HardReset hardReset) {
        this.health = health;
        this.lab = lab;
        this.placer = placer;
        this.policy = policy;
        this.hardReset = hardReset;
    }

    /** One pass over every placed request; returns the hosts that went Lost in this pass. */
    public List<String> tick() {
        Instant now = lab.now();
        List<String> lost = new ArrayList<>();
        for (Request active : lab.store().read(RequestRows::allActive)) {
            boolean becameLost;
            try (LogContext ignored = LogContext.request(active.host(), active.id())) {
                becameLost = judge(active, now);
            }
            if (becameLost) {
                lost.add(active.host());
            }
        }
        health.fileDue();
        placer.drain();
        if (policy.resetLostHosts()) {
            lost.forEach(this::resetOnce);
        }
        return lost;
    }

    /** Aborts {@code active} and marks its host Lost when the host has been silent too long; true when it went Lost. */
    private boolean judge(Request active, Instant now) {
        return lab.store().tx(h -> {
            Host host = HostRows.lock(h, active.host()).orElseThrow();
            Request request = RequestRows.find(h, active.number()).orElseThrow();
            if (!request.state().isActive()) {
                return false;
            }
            Instant since = latest(host.lastSeen(), request.placedAt());
            Duration silence = Duration.between(since, now);
            WatchdogRules.Verdict verdict = WatchdogRules.judge(silence, policy.heartbeat(), policy.grace(), host.state());
            if (verdict.abortRequest()) {
                RequestRows.setState(h, request.number(), RequestState.ABORTED, "host '" + host.name()
                        + "' sent no state for " + minutes(silence) + " (heartbeat " + minutes(policy.heartbeat())
                        + " + grace " + minutes(policy.grace()) + ")", now);
                PlacementRows.add(h, request.number(), host.name(), Placer.REMOVE, now);
                health.ended(h, host, request, RequestState.ABORTED, List.of(), "its host sent no state for "
                        + minutes(silence));
            }
            if (verdict.hostLost()) {
                HostRows.setState(h, host.name(), HostState.LOST, now);
                LOG.warn("host '{}' is Lost: no state for {} while {} is {}", host.name(), minutes(silence),
                        request.id(), request.state().label());
                return true;
            }
            return false;
        });
    }

    private void resetOnce(String name) {
        boolean first = lab.store().tx(h -> {
            Host host = HostRows.lock(h, name).orElseThrow();
            if (host.hardResetCommand() == null || host.hardResetCommand().isBlank()
                    || HostRows.lostResetDone(h, name)) {
                return false;
            }
            HostRows.update(h, name, "lost_reset_done", true);
            return true;
        });
        if (first) {
            try (LogContext ignored = LogContext.host(name)) {
                HardReset.Outcome outcome = hardReset.reset(name);
                LOG.warn("host '{}' went Lost; hard reset: {}", name, outcome.summary());
            }
        }
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private static String minutes(Duration d) {
        return d.toMinutes() >= 1 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }
}
