package labdrop.queue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import labdrop.error.ConflictException;
import labdrop.error.LabdropException;
import labdrop.event.EventKind;
import labdrop.host.Host;
import labdrop.host.HostHealth;
import labdrop.host.HostState;
import labdrop.lab.Lab;
import labdrop.request.HealthPolicy;
import labdrop.request.PackagePin;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.store.EventRows;
import labdrop.store.HostRows;
import labdrop.store.RequestRows;
import labdrop.store.UserRows;
import labdrop.user.SystemUser;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health checks (like LAVA's): a host type may name tests that check its hosts
 * ({@link HealthPolicy}). A check is an ordinary request of the system user {@code lab}, flagged
 * so its host takes it before any other work ({@code QueueRules.PLACEMENT_ORDER}); it is filed
 * when a host leaves Maint, when the type's interval has passed, after K failed requests in a row,
 * and when an admin asks. A passed check marks the host healthy; a failed one puts it in Maint with
 * the check's id and failing test, so pool work goes to the other hosts.
 */
public final class HealthChecks {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);
    private static final Set<HostState> OUT_OF_SERVICE = EnumSet.of(HostState.MAINT, HostState.RETIRED, HostState.LOST);
    private final Lab lab;
    private final Placer placer;

    public HealthChecks(Lab lab, Placer placer) {
        this.lab = lab;
        this.placer = placer;
    }

    /** The health check of {@code type}; none when its file is missing or invalid (that is logged). */
    public HealthPolicy policy(String type) {
        try {
            return HealthPolicy.of(lab.hostTypes().typeSettings(type));
        } catch (IOException | LabdropException e) {
            LOG.warn("host type '{}': its health check cannot be read, so its hosts are not checked: {}", type,
                    e.getMessage());
            return HealthPolicy.NONE;
        }
    }

    /**
     * Files a health check for {@code host} (locked by the caller) unless its type has none or one
     * is already queued or running; returns the check. When a check's test package is in no
     * repository the check cannot run: the host goes to Maint with that reason.
     */
    public Optional<Request> file(Handle h, Host host, String why) {
        HealthPolicy policy = policy(host.type());
        if (!policy.enabled()) {
            return Optional.empty();
        }
        Optional<Request> unfinished = RequestRows.unfinishedHealthCheck(h, host.name());
        if (unfinished.isPresent()) {
            return unfinished;
        }
        List<PackagePin> pins;
        try {
            pins = RequestDesk.pins(lab, policy.tests());
        } catch (LabdropException e) {
            fail(h, host, "the health check of type '" + host.type() + "' cannot be filed: " + e.getMessage());
            return Optional.empty();
        }
        UserRows.ensure(h, SystemUser.NAME, lab.now());
        long num = RequestRows.insert(h, new RequestSpec(host.name(), SystemUser.NAME, policy.tests(), Priority.URGENT,
                false, null, null, null, null), pins, RequestState.QUEUED, "health check: " + why, lab.now());
        RequestRows.markHealthCheck(h, num);
        LOG.info("host '{}': health check {} filed: {}", host.name(), Request.idOf(num), why);
        return RequestRows.find(h, num);
    }

    /**
     * A request on {@code host} (locked by the caller) ended in {@code outcome}; called before the
     * host's queue is released. A health check's outcome becomes the host's health (a failure: Maint
     * with the reason); any other request extends or ends the host's run of Error and Aborted
     * requests, and a long enough run files a check.
     *
     * @param testOutcomes each test's name and outcome, in order (empty when none ran)
     */
    public void ended(Handle h, Host host, Request request, RequestState outcome,
                      List<Map.Entry<String, String>> testOutcomes, String reason) {
        if (request.healthCheck()) {
            Optional<String> failure = HealthPolicy.failure(request.id(), outcome, testOutcomes, reason);
            if (failure.isEmpty()) {
                HostRows.setHealth(h, host.name(), new HostHealth(HostHealth.Verdict.PASSED,
                        "health check " + request.id() + " passed", lab.now()));
                LOG.info("host '{}': health check {} passed", host.name(), request.id());
            } else {
                fail(h, host, failure.get());
            }
            return;
        }
        int inRow = HostRows.countErrorInRow(h, host.name(), HealthPolicy.countsAsError(outcome));
        policy(host.type()).dueByErrors(inRow, request.id()).ifPresent(why -> file(h, host, why));
    }

    /** {@code host} (locked by the caller) leaves Maint: it is checked before it takes work. */
    public void leftMaint(Handle h, Host host) {
        file(h, host, "the host left Maint");
    }

    private void fail(Handle h, Host host, String reason) {
        HostRows.setHealth(h, host.name(), new HostHealth(HostHealth.Verdict.FAILED, reason, lab.now()));
        EventRows.add(h, EventKind.HOST_UNHEALTHY, host.name(), null, null, reason, lab.now());
        if (host.state() != HostState.RETIRED) {
            HostRows.setState(h, host.name(), HostState.MAINT, lab.now());
        }
        LOG.warn("host '{}' is in Maint: {}", host.name(), reason);
    }

    /**
     * Files the checks whose interval has passed, for every host in service, each in its own
     * transaction with the host locked, and places them. The watchdog calls this on every pass.
     * Returns the hosts a check was filed for.
     */
    public List<String> fileDue() {
        List<String> filed = new ArrayList<>();
        // each host type's file is read once per pass, not once per host (10,000 hosts, a handful of types)
        Map<String, HealthPolicy> policies = new HashMap<>();
        for (Host seen : lab.store().read(HostRows::all)) {
            if (OUT_OF_SERVICE.contains(seen.state()) || policies.computeIfAbsent(seen.type(), this::policy)
                    .dueByInterval(seen.health().at(), lab.now()).isEmpty()) {
                continue;
            }
            boolean done = lab.store().tx(h -> {
                Host host = HostRows.lock(h, seen.name()).orElseThrow();
                Optional<String> why = OUT_OF_SERVICE.contains(host.state()) ? Optional.empty()
                        : policy(host.type()).dueByInterval(host.health().at(), lab.now());
                if (why.isEmpty() || RequestRows.unfinishedHealthCheck(h, host.name()).isPresent()) {
                    return false;
                }
                file(h, host, why.get());
                Queue.release(h, host, lab.now());
                return true;
            });
            if (done) {
                filed.add(seen.name());
            }
        }
        placer.drain();
        return filed;
    }

    /**
     * Runs a health check on {@code hostName} now ({@code labdrop host health}): filed unless one is
     * already queued or running (that one is returned), and placed as soon as the host is free and
     * in service. Refused for a retired host and for a type without a health check.
     */
    public Request runNow(String hostName, String by) {
        Request check = lab.store().tx(h -> {
            Host host = HostRows.lock(h, hostName).orElseThrow(() -> RequestDesk.noHost(hostName));
            if (host.state() == HostState.RETIRED) {
                throw new ConflictException("host '" + hostName + "' is retired; it runs no health check");
            }
            if (!policy(host.type()).enabled()) {
                throw new ConflictException("host type '" + host.type() + "' names no health check; set health_check"
                        + " (tests NAME[:ARGS], comma-separated) in its file in the host-types folder (docs/directions.md)");
            }
            Request filed = file(h, host, "asked by " + by).orElseThrow(() -> new ConflictException("host '" + hostName
                    + "': " + HostRows.find(h, hostName).orElseThrow().health().reason()));
            Queue.release(h, HostRows.find(h, hostName).orElseThrow(), lab.now());
            return filed;
        });
        placer.drain();
        return lab.store().read(h -> RequestRows.find(h, check.number())).orElseThrow();
    }
}
