package labdrop.queue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import labdrop.error.LabdropException;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.lab.Lab;
import labdrop.request.PackagePin;
import labdrop.request.Pool;
import labdrop.request.QueueRules;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.result.TestCase;
import labdrop.result.Verdict;
import labdrop.store.HistoryRows;
import labdrop.store.HostRows;
import labdrop.store.PoolRows;
import labdrop.store.RequestRows;
import labdrop.user.SystemUser;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confirming new failures on a second host. When a request that asks for it (or whose host type
 * does: {@code confirm_failures}) finds new failures, a request for just the failing tests is filed
 * at once, at the same priority and by the same requester, in the pool of the host's type avoiding
 * the first host; pool placement gives it to a free, healthy host. When it ends, each new failure
 * reads {@code confirmed} (it fails there too), {@code host-specific} (it passes there: the first
 * host gets a health check when its type has one) or {@code unconfirmed}. A confirmation is never
 * confirmed in turn.
 */
public final class Confirmations {
    public static final String PENDING = "pending";
    public static final String CONFIRMED = "confirmed";
    public static final String HOST_SPECIFIC = "host-specific";
    public static final String UNCONFIRMED = "unconfirmed";
    /** No other host of the type can take the confirmation. */
    public static final String NO_OTHER_HOST = "no-other-host";
    private static final Logger LOG = LoggerFactory.getLogger(Confirmations.class);

    private final Lab lab;
    private final HealthChecks health;

    public Confirmations(Lab lab, HealthChecks health) {
        this.lab = lab;
        this.health = health;
    }

    /**
     * Called in the transaction that stored {@code r}'s verdicts ({@code host} locked): files its
     * confirmation when it is due; the number of the request filed, to offer to the pool's hosts
     * once the transaction commits ({@link #offer}).
     */
    public Optional<Long> fileIfDue(Handle h, Host host, Request r) {
        if (r.healthCheck() || RequestRows.confirms(h, r.number()).isPresent()
                || !(RequestRows.confirmWanted(h, r.number()) || typeWants(host.type()))) {
            return Optional.empty();
        }
        Set<Integer> failing = HistoryRows.verdicts(h, r.number(), Integer.MAX_VALUE).stream()
                .filter(s -> s.finding().verdict() == Verdict.NEW_FAILURE).map(HistoryRows.Stored::testIndex)
                .collect(Collectors.toCollection(TreeSet::new));
        if (failing.isEmpty()) {
            return Optional.empty();
        }
        boolean another = HostRows.ofType(h, host.type()).stream().anyMatch(x -> !x.name().equals(host.name())
                && x.state() != HostState.RETIRED
                && QueueRules.rejection(x.name(), x.owner(), x.ownerOnly(), r.requester()).isEmpty());
        if (!another) {
            HistoryRows.confirmNewFailures(h, r.number(), NO_OTHER_HOST, null);
            return Optional.empty();
        }
        List<TestSpec> tests = failing.stream().map(i -> r.tests().get(i - 1)).toList();
        Set<String> names = tests.stream().map(TestSpec::packageName).collect(Collectors.toSet());
        List<PackagePin> pins = r.packages().stream()
                .filter(p -> !p.type().equals("test") || names.contains(p.name())).toList();
        RequestSpec spec = new RequestSpec(null, r.requester(), tests, r.priority(), r.selfReboot(), r.kernelInstall(),
                r.buildSet(), r.timeoutSeconds(), r.repositoryUrl(), new Pool(host.type(), List.of()).avoiding(host.name()));
        PoolRows.ensure(h, host.type());
        RequestRows.addPoolRequester(h, host.type(), r.requester());
        long num = RequestRows.insert(h, spec, pins, RequestState.QUEUED, "confirms the new failures of " + r.id()
                + " on another host than " + host.name(), lab.now());
        RequestRows.markConfirmation(h, num, r.number());
        HistoryRows.confirmNewFailures(h, r.number(), PENDING, num);
        LOG.info("{}: new failures in {}; confirmation {} filed for pool {} without {}", host.name(), r.id(),
                Request.idOf(num), host.type(), host.name());
        return Optional.of(num);
    }

    /**
     * Called in the transaction that ends {@code confirmation}: settles the new failures it was
     * filed for; the first host's name when a failure was host-specific (to health-check it once
     * the transaction commits: {@link #checkHost}).
     */
    public Optional<String> settle(Handle h, Request confirmation, RequestState outcome,
                                   Map<Integer, List<TestCase>> cases) {
        Optional<Long> original = RequestRows.confirms(h, confirmation.number());
        if (original.isEmpty()) {
            return Optional.empty();
        }
        Map<String, CaseResult> seen = new HashMap<>();
        for (int i = 0; i < confirmation.tests().size(); i++) {
            String test = confirmation.tests().get(i).packageName();
            for (TestCase c : cases.getOrDefault(i + 1, List.of())) {
                seen.putIfAbsent(test + "\0" + c.fullName(), new CaseResult(c));
            }
        }
        boolean hostSpecific = false;
        for (HistoryRows.Pending p : HistoryRows.pendingConfirmations(h, original.get())) {
            CaseResult there = seen.get(p.testName() + "\0" + p.fullName());
            String status = there == null || outcome == RequestState.ERROR || outcome == RequestState.ABORTED
                    ? UNCONFIRMED : there.c().outcome().failed() ? CONFIRMED
                    : there.c().outcome().label().equals("pass") ? HOST_SPECIFIC : UNCONFIRMED;
            hostSpecific |= status.equals(HOST_SPECIFIC);
            HistoryRows.settleConfirmation(h, original.get(), p.seq(), status);
        }
        if (!hostSpecific) {
            return Optional.empty();
        }
        return RequestRows.find(h, original.get()).map(Request::host);
    }

    private record CaseResult(TestCase c) {
    }

    /** Offers a filed confirmation to its pool's free hosts, one at a time, until one takes it. */
    public void offer(long num) {
        Request r = lab.store().read(h -> RequestRows.find(h, num)).orElseThrow();
        List<String> free = new ArrayList<>();
        lab.store().read(h -> HostRows.ofType(h, r.pool().type())).stream()
                .filter(x -> x.state() == HostState.AVAILABLE && r.pool().admits(x.name(), x.type(), x.labels()))
                .forEach(x -> free.add(x.name()));
        for (String host : free) {
            boolean placed = lab.store().tx(h -> {
                Queue.release(h, host, lab.now());
                return RequestRows.find(h, num).orElseThrow().state() != RequestState.QUEUED;
            });
            if (placed) {
                return;
            }
        }
    }

    /** Health-checks {@code host}, whose new failures passed on another host, when its type has a check. */
    public void checkHost(String host) {
        try {
            health.runNow(host, SystemUser.NAME);
        } catch (LabdropException e) {
            LOG.info("host '{}': failures that passed on another host; no health check: {}", host, e.getMessage());
        }
    }

    private boolean typeWants(String type) {
        try {
            return "true".equals(lab.hostTypes().typeSettings(type).get("confirm_failures"));
        } catch (IOException | LabdropException e) {
            return false;
        }
    }
}
