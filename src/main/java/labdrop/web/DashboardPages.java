package labdrop.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.host.Host;
import labdrop.host.HostState;

/** The hosts dashboard ({@code /}) and its live feed ({@code /live/hosts.json}). */
final class DashboardPages {
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
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Host h : services.hosts().list()) {
            counts.merge(h.state().label(), 1, Integer::sum);
            Map<String, Object> row = new HashMap<>();
            row.put("name", h.name());
            row.put("state", h.state().label());
            row.put("owner", h.owner() == null ? "" : h.owner());
            row.put("ownerOnly", h.ownerOnly());
            row.put("queue", queued.getOrDefault(h.name(), 0));
            row.put("step", h.step() == null ? "" : h.step());
            row.put("lastSeen", h.lastSeen() == null ? "never" : h.lastSeen().toString());
            row.put("polls", services.doorbell().polls(h.name()).count());
            row.put("labels", h.labels());
            rows.add(row);
        }
        values.put("counts", counts.entrySet());
        values.put("hosts", rows);
        x.html(200, pages.render("dashboard.peb", values));
    }

    /** Every host as the API shows it, and the counts per state. */
    void liveHosts(Exchange x) {
        Map<String, Integer> queued = services.desk().queuedPerHost();
        Map<String, Integer> counts = emptyCounts();
        List<Map<String, Object>> hosts = new ArrayList<>();
        for (Host h : services.hosts().list()) {
            counts.merge(h.state().label(), 1, Integer::sum);
            hosts.add(ApiViews.host(h, queued.getOrDefault(h.name(), 0), services.doorbell().polls(h.name())));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("counts", counts);
        m.put("hosts", hosts);
        x.json(200, m);
    }

    private static Map<String, Integer> emptyCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (HostState state : HostState.values()) {
            counts.put(state.label(), 0);
        }
        return counts;
    }
}
