package labdrop.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import labdrop.admin.HostPage;
import labdrop.config.Durations;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.host.Host;
import labdrop.host.HostHealth;
import labdrop.host.HostQuery;
import labdrop.host.HostState;
import labdrop.store.HostRows;

/**
 * The hosts dashboard ({@code /}): the counts per state, the pools (per host type: counts, queue,
 * predicted wait) and one page of hosts, grouped; and its live feed ({@code /live/hosts.json}),
 * which sends a browser only the hosts of its page that changed since the tick it last applied.
 */
final class DashboardPages {
    private static final Set<HostState> BUSY = EnumSet.of(HostState.PENDING, HostState.INSTALL, HostState.RUNNING,
            HostState.REBOOTING);
    /** How long the dashboard shows a pool's predicted wait before it works it out again. */
    static final Duration WAIT_FRESH = Duration.ofSeconds(5);
    private final WebServices services;
    private final Pages pages;
    private final Map<String, Wait> waits = new ConcurrentHashMap<>();

    DashboardPages(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
    }

    /**
     * The counts per state, each host type's pool, and one page of hosts (docs/web.md, "Hosts"):
     * narrowed by type, state and label, grouped by type, state or label set.
     */
    void dashboard(Exchange x) {
        HostQuery query;
        String problem = null;
        try {
            query = HostQuery.parse(x::query);
        } catch (BadInputException e) {
            // the whole first page, with what was wrong with the link above it
            query = HostQuery.all();
            problem = e.getMessage();
        }
        HostPage page = services.hosts().page(query, -1);
        List<HostRows.Census> census = services.hosts().census();
        Map<String, Integer> queued = services.desk().queuedPerHost();
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (Host h : page.hosts()) {
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
            groups.computeIfAbsent(query.group().of(h), g -> new ArrayList<>()).add(row);
        }
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(x.user()));
        values.put("counts", counts(census).entrySet());
        values.put("pools", pools(census));
        values.put("groups", groups.entrySet());
        values.put("query", query);
        values.put("group", query.group().label());
        values.put("stateFilter", query.state() == null ? "" : query.state().label());
        values.put("types", census.stream().map(HostRows.Census::type).distinct().sorted().toList());
        values.put("states", Arrays.stream(HostState.values()).map(HostState::label).toList());
        values.put("page", page.query().page());
        values.put("pages", page.pages());
        values.put("total", page.total());
        values.put("tick", page.tick());
        values.put("live", "/live/hosts.json?" + query.queryString());
        values.put("previous", query.page() > 1 ? "/?" + query.onPage(query.page() - 1).queryString() : "");
        values.put("next", query.page() < page.pages() ? "/?" + query.onPage(query.page() + 1).queryString() : "");
        values.put("problem", problem == null ? "" : problem);
        x.html(problem == null ? 200 : 400, pages.render("dashboard.peb", values));
    }

    /**
     * The dashboard's live feed: for the page the browser shows ({@code ?since=TICK} and the page's
     * own parameters), the hosts on it written since that tick (every one without {@code since}),
     * the page's names in order (a host that joined or left the page shows there), the queues of
     * its hosts, the counts per state and the pools, and the tick to ask from next time. A browser
     * that missed some answers asks from the last tick it applied and catches up in one.
     */
    void liveHosts(Exchange x) {
        HostQuery query;
        long since;
        try {
            query = HostQuery.parse(x::query);
            since = since(x.query("since"));
        } catch (BadInputException e) {
            x.json(400, Map.of("error", e.getMessage()));
            return;
        }
        HostPage page = services.hosts().page(query, since);
        Map<String, Integer> queued = services.desk().queuedPerHost();
        List<HostRows.Census> census = services.hosts().census();
        List<Map<String, Object>> views = new ArrayList<>();
        for (Host h : page.hosts()) {
            views.add(ApiViews.host(h, queued.getOrDefault(h.name(), 0), services.doorbell().polls(h.name())));
        }
        Map<String, Integer> queues = new LinkedHashMap<>();
        page.names().forEach(n -> queues.put(n, queued.getOrDefault(n, 0)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tick", page.tick());
        m.put("since", since < 0 ? null : since);
        m.put("page", query.page());
        m.put("pages", page.pages());
        m.put("total", page.total());
        m.put("names", page.names());
        m.put("hosts", views);
        m.put("queued", queues);
        m.put("counts", counts(census));
        m.put("pools", pools(census));
        x.json(200, m);
    }

    /** The live feed's {@code since}: a tick it gave, or -1 (none: the whole page). */
    private static long since(String text) {
        if (text == null || text.isBlank()) {
            return -1;
        }
        try {
            long since = Long.parseLong(text.strip());
            if (since >= 0) {
                return since;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new BadInputException("since " + Names.quote(text) + " is not a tick the feed gave (a whole number from 0);"
                + " leave it out to have the whole page");
    }

    private static Map<String, Integer> counts(List<HostRows.Census> census) {
        Map<String, Integer> counts = emptyCounts();
        census.forEach(c -> counts.merge(c.state().label(), c.hosts(), Integer::sum));
        return counts;
    }

    /**
     * Per host type: how many hosts, available, busy (Pending to Rebooting), in Maint, unhealthy
     * (their last health check failed), Lost; the pool's queue and how long a request filed now waits.
     */
    private List<Map<String, Object>> pools(List<HostRows.Census> census) {
        Map<String, Integer> waiting = services.estimates().queuedPerPoolType();
        Map<String, List<HostRows.Census>> byType = new TreeMap<>();
        census.stream().filter(c -> c.state() != HostState.RETIRED)
                .forEach(c -> byType.computeIfAbsent(c.type(), t -> new ArrayList<>()).add(c));
        List<Map<String, Object>> out = new ArrayList<>();
        byType.forEach((type, lines) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", type);
            m.put("hosts", sum(lines, c -> true));
            m.put("available", sum(lines, c -> c.state() == HostState.AVAILABLE));
            m.put("busy", sum(lines, c -> BUSY.contains(c.state())));
            m.put("maint", sum(lines, c -> c.state() == HostState.MAINT));
            m.put("unhealthy", sum(lines, c -> c.health() == HostHealth.Verdict.FAILED));
            m.put("lost", sum(lines, c -> c.state() == HostState.LOST));
            m.put("queued", waiting.getOrDefault(type, 0));
            Duration wait = poolWait(type);
            m.put("wait", wait == null ? "no host can take work" : wait.toSeconds() < 60 ? "under a minute"
                    : "about " + Durations.text(Duration.ofMinutes(Math.round(wait.toSeconds() / 60.0))));
            out.add(m);
        });
        return out;
    }

    /**
     * The pool's predicted wait as the dashboard shows it: worked out at most every
     * {@link #WAIT_FRESH} per host type, as it reads every host of the type and its running
     * request, while every open dashboard refreshes every 3 s (the API's estimates stay exact).
     */
    private Duration poolWait(String type) {
        Instant now = Instant.now();
        Wait known = waits.get(type);
        if (known == null || known.at().plus(WAIT_FRESH).isBefore(now)) {
            known = new Wait(now, services.estimates().poolWait(type));
            waits.put(type, known);
        }
        return known.predicted();
    }

    private record Wait(Instant at, Duration predicted) {
    }

    private static int sum(List<HostRows.Census> lines, Predicate<HostRows.Census> which) {
        return lines.stream().filter(which).mapToInt(HostRows.Census::hosts).sum();
    }

    private static Map<String, Integer> emptyCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (HostState state : HostState.values()) {
            counts.put(state.label(), 0);
        }
        return counts;
    }
}
