package labdrop.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import labdrop.error.LabdropException;
import labdrop.report.JunitExport;
import labdrop.report.Reports;
import labdrop.request.Job;
import labdrop.request.Request;
import labdrop.result.CaseOutcome;
import labdrop.result.KnownIssue;
import labdrop.result.TestCase;
import labdrop.result.Verdict;
import labdrop.store.CaseRows;
import labdrop.store.HistoryRows;

/**
 * A request's cases for the browser: {@code /requests/<id>/cases} (all of them, a page at a time,
 * or only one outcome) and the JUnit XML of a request or a job, for a logged-in user to download.
 */
final class CasePages {
    /** Cases on one page. */
    static final int PAGE = 500;
    private final WebServices services;
    private final Pages pages;
    private final Logs logs;

    CasePages(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
        this.logs = new Logs(services);
    }

    /** GET /requests/<id>/cases[?outcome=fail&page=N]. */
    void view(Exchange x) {
        Request r;
        try {
            r = services.desk().find(x.param("id"));
        } catch (LabdropException e) {
            x.html(Errors.status(e), pages.render("message.peb",
                    PageValues.message(x.session(), x.user(), "Not found", e.getMessage(), "/requests")));
            return;
        }
        String outcome = x.query("outcome");
        List<CaseOutcome> outcomes = outcome == null ? List.of() : CaseOutcome.of(outcome).map(List::of).orElse(List.of());
        String pageParam = x.query("page");
        int page = pageParam != null && pageParam.matches("[0-9]{1,6}") ? Math.max(1, Integer.parseInt(pageParam)) : 1;
        Map<Integer, String> names = new HashMap<>();
        services.desk().results(r).forEach(t -> names.put(t.index(), t.name()));
        List<CaseRows.Row> rows = services.reports().cases(r, outcomes, (page - 1) * PAGE, PAGE + 1);
        List<Map<String, Object>> cases = new ArrayList<>();
        rows.stream().limit(PAGE).forEach(row -> cases.add(row(names.get(row.testIndex()), row.testCase())));
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(x.user()));
        values.put("id", r.id());
        values.put("cases", cases);
        values.put("outcome", outcomes.isEmpty() ? "" : outcomes.get(0).label());
        values.put("page", page);
        String filter = outcomes.isEmpty() ? "" : "outcome=" + outcomes.get(0).label() + "&";
        values.put("previous", page > 1 ? "/requests/" + r.id() + "/cases?" + filter + "page=" + (page - 1) : null);
        values.put("next", rows.size() > PAGE ? "/requests/" + r.id() + "/cases?" + filter + "page=" + (page + 1) : null);
        x.html(200, pages.render("cases.peb", values));
    }

    /** GET /requests/<id>/junit.xml and /jobs/<id>/junit.xml: the export the API gives, for the browser. */
    void junit(Exchange x, boolean job) {
        try {
            byte[] xml;
            String id = x.param("id");
            if (job) {
                Job j = services.desk().findJob(id);
                xml = JunitExport.write(j.id(), j.members().stream().map(services.reports()::run).toList(), logs::tail);
            } else {
                Request r = services.desk().find(id);
                xml = JunitExport.write(r.id(), List.of(services.reports().run(r)), logs::tail);
            }
            x.header("Content-Disposition", "attachment; filename=\"" + id + "-junit.xml\"");
            x.bytes(200, "application/xml; charset=utf-8", xml);
        } catch (LabdropException e) {
            x.html(Errors.status(e), pages.render("message.peb",
                    PageValues.message(x.session(), x.user(), "Not found", e.getMessage(), "/requests")));
        }
    }

    /** A test's case counts as the page shows them: "998 pass · 2 fail". */
    static String counts(Reports.TestCases tc) {
        List<String> parts = new ArrayList<>();
        for (CaseOutcome o : CaseOutcome.values()) {
            int n = tc.counts().getOrDefault(o, 0);
            if (n > 0) {
                parts.add(n + " " + o.label());
            }
        }
        if (tc.dropped() > 0) {
            parts.add(tc.dropped() + " left out");
        }
        return String.join(" · ", parts);
    }

    /** GET /regressions[?days=1|7]: the lab's new failures and fixes, grouped by test and host type. */
    void regressions(Exchange x) {
        String daysParam = x.query("days");
        int days = "1".equals(daysParam) ? 1 : 7;
        List<HistoryRows.Stored> changes = services.reports().changes(services.lab().now().minus(Duration.ofDays(days)),
                List.of(Verdict.NEW_FAILURE, Verdict.FIXED));
        Map<String, List<Map<String, Object>>> groups = new TreeMap<>();
        for (HistoryRows.Stored s : changes) {
            groups.computeIfAbsent(s.testName() + " on " + s.scope(), k -> new ArrayList<>()).add(finding(s));
        }
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(x.user()));
        values.put("days", days);
        values.put("groups", groups.entrySet().stream().map(e -> Map.of("title", e.getKey(), "rows", e.getValue(),
                "newFailures", e.getValue().stream().filter(r -> r.get("verdict").equals("new-failure")).count(),
                "fixes", e.getValue().stream().filter(r -> r.get("verdict").equals("fixed")).count())).toList());
        values.put("capped", changes.size() >= Reports.MAX_CHANGES);
        values.put("known", services.known().list().stream().map(k -> {
            Map<String, Object> m = new HashMap<>();
            m.put("id", k.id());
            m.put("test", k.test());
            m.put("case", k.fullName());
            m.put("hostType", k.hostType() == null ? "every type" : k.hostType());
            m.put("note", k.note());
            m.put("by", k.createdBy());
            m.put("stale", k.staleRequest() == null ? null : Request.idOf(k.staleRequest()));
            m.put("canRemove", Access.isAdmin(x.user()) || x.user().name().equals(k.createdBy()));
            return m;
        }).toList());
        x.html(200, pages.render("regressions.peb", values));
    }

    /** POST /known-issues (test, suite, case, hostType, note, back): marks a failing case as known, then goes back. */
    void markKnown(Exchange x) {
        String back = x.form("back") != null && x.form("back").matches("/requests/r-[0-9]{1,18}") ? x.form("back")
                : "/regressions";
        try {
            services.known().mark(x.form("test"), x.form("suite"), x.form("case"), x.form("hostType"), x.form("note"),
                    x.user().name());
            x.redirect(back);
        } catch (LabdropException e) {
            x.html(Errors.status(e), pages.render("message.peb",
                    PageValues.message(x.session(), x.user(), "Not marked", e.getMessage(), back)));
        }
    }

    /** POST /known-issues/<id>/remove: by whoever marked it, or an admin. */
    void removeKnown(Exchange x) {
        try {
            KnownIssue issue = services.known().find(RegressionsApi.id(x.param("id")));
            Access.requireRemoveKnown(x.user(), issue);
            services.known().remove(issue.id());
            x.redirect("/regressions");
        } catch (LabdropException e) {
            x.html(Errors.status(e), pages.render("message.peb",
                    PageValues.message(x.session(), x.user(), "Not removed", e.getMessage(), "/regressions")));
        }
    }

    static Map<String, Object> finding(HistoryRows.Stored s) {
        Map<String, Object> m = new HashMap<>();
        m.put("request", Request.idOf(s.requestNum()));
        m.put("test", s.testName());
        m.put("scope", s.scope());
        m.put("case", s.finding().fullName());
        m.put("verdict", s.finding().verdict().label());
        m.put("outcome", s.finding().outcome() == null ? "" : s.finding().outcome().label());
        m.put("previous", s.finding().previous() == null ? "" : s.finding().previous().label());
        m.put("at", s.endedAt().toString());
        m.put("confirmation", s.confirmation() == null ? "" : s.confirmation());
        m.put("confirmedBy", s.confirmedBy() == null ? null : Request.idOf(s.confirmedBy()));
        return m;
    }

    /** "1 new-failure · 2 fixed", in the order of the verdicts. */
    static String verdictCounts(Map<Verdict, Integer> counts) {
        List<String> parts = new ArrayList<>();
        for (Verdict v : Verdict.values()) {
            if (counts.getOrDefault(v, 0) > 0) {
                parts.add(counts.get(v) + " " + v.label());
            }
        }
        return String.join(" · ", parts);
    }

    static Map<String, Object> row(String test, TestCase c) {
        Map<String, Object> m = new HashMap<>();
        m.put("test", test);
        m.put("suite", c.suite());
        m.put("name", c.name());
        m.put("outcome", c.outcome().label());
        m.put("duration", c.durationMillis() == null ? "" : c.durationMillis() + " ms");
        m.put("message", c.message() == null ? "" : c.message());
        return m;
    }
}
