package labdrop.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import labdrop.config.Durations;
import labdrop.host.Host;
import labdrop.host.HostHealth;
import labdrop.host.HostState;

/**
 * The hosts dashboard ({@code /}): the pools (per host type: counts, queue, predicted wait) and the
 * hosts grouped by type; and its live feed ({@code /live/hosts.json}).
 */
final class DashboardPages {
    private static final Set<HostState> BUSY = EnumSet.of(HostState.PENDING, HostState.INSTALL, HostState.RUNNING,
            HostState.REBOOTING);
    private final WebServices services;
    private final Pages pages;

    DashboardPages(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
    }

    void dashboard(Exchange x) {
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(x.user()));
        Map<String, Integer> queued = services.desk().queuedPerHost();
        Map<String, Integer> counts = emptyCounts();
        Map<String, List<Map<String, Object>>> byType = new TreeMap<>();
        List<Host> hosts = services.hosts().list();
        for (Host h : hosts) {
            counts.merge(h.state().label(), 1, Integer::sum);
            Map<String, Object> row = new HashMap<>();
            row.put("name", h.name());
            row.put("type", h.type());
            row.put("state", h.state().label());
            row.put("health", h.health().label());
            row.put("owner", h.owner() == null ? "" : h.owner());
            row.put("ownerOnly", h.ownerOnly());
            row.put("queue", queued.getOrDefault(h.name(), 0));
            row.put("step", h.step() == null ? "" : h.step());
            row.put("lastSeen", h.lastSeen() == null ? "never" : h.lastSeen().toString());
            row.put("polls", services.doorbell().polls(h.name()).count());
            row.put("labels", h.labels());
            byType.computeIfAbsent(h.type(), t -> new ArrayList<>()).add(row);
        }
        values.put("counts", counts.entrySet());
        values.put("types", byType.entrySet());
        values.put("pools", pools(hosts));
        x.html(200, pages.render("dashboard.peb", values));
    }

    /** Every host as the API shows it, the counts per state and each host type's pool. */
    void liveHosts(Exchange x) {
        Map<String, Integer> queued = services.desk().queuedPerHost();
        Map<String, Integer> counts = emptyCounts();
        List<Map<String, Object>> views = new ArrayList<>();
        List<Host> hosts = services.hosts().list();
        for (Host h : hosts) {
            counts.merge(h.state().label(), 1, Integer::sum);
            views.add(ApiViews.host(h, queued.getOrDefault(h.name(), 0), services.doorbell().polls(h.name())));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("counts", counts);
        m.put("hosts", views);
        m.put("pools", pools(hosts));
        x.json(200, m);
    }

    /**
     * Per host type: how many hosts, available, busy (Pending to Rebooting), in Maint, unhealthy
     * (their last health check failed), Lost; the pool's queue and how long a request filed now waits.
     */
    private List<Map<String, Object>> pools(List<Host> hosts) {
        Map<String, Integer> waiting = services.estimates().queuedPerPoolType();
        Map<String, List<Host>> byType = new TreeMap<>();
        hosts.stream().filter(h -> h.state() != HostState.RETIRED)
                .forEach(h -> byType.computeIfAbsent(h.type(), t -> new ArrayList<>()).add(h));
        List<Map<String, Object>> out = new ArrayList<>();
        byType.forEach((type, members) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", type);
            m.put("hosts", members.size());
            m.put("available", members.stream().filter(h -> h.state() == HostState.AVAILABLE).count());
            m.put("busy", members.stream().filter(h -> BUSY.contains(h.state())).count());
            m.put("maint", members.stream().filter(h -> h.state() == HostState.MAINT).count());
            m.put("unhealthy", members.stream().filter(h -> h.health().verdict() == HostHealth.Verdict.FAILED).count());
            m.put("lost", members.stream().filter(h -> h.state() == HostState.LOST).count());
            m.put("queued", waiting.getOrDefault(type, 0));
            Duration wait = services.estimates().poolWait(type);
            m.put("wait", wait == null ? "no host can take work" : wait.toSeconds() < 60 ? "under a minute"
                    : "about " + Durations.text(Duration.ofMinutes(Math.round(wait.toSeconds() / 60.0))));
            out.add(m);
        });
        return out;
    }

    private static Map<String, Integer> emptyCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (HostState state : HostState.values()) {
            counts.put(state.label(), 0);
        }
        return counts;
    }
}
