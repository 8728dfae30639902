package labdrop.web;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.host.Host;
import labdrop.ops.LabStats;
import labdrop.request.Pool;
import labdrop.report.Reports;
import labdrop.request.Request;
import labdrop.request.TestSpec;
import labdrop.store.ConfigRows;
import labdrop.store.KeyRows;
import labdrop.store.PollRows.Polls;
import labdrop.result.CaseOutcome;
import labdrop.result.TestCase;
import labdrop.result.Verdict;
import labdrop.store.HistoryRows;
import labdrop.store.RequestRows;
import labdrop.store.ResultRows;
import labdrop.user.User;

/**
 * What the API and the pages' live updates answer, as JSON-ready maps with a fixed key order
 * (the golden files in src/test/resources/api/ hold that order). Times are ISO-8601 UTC or null.
 */
public final class ApiViews {
    private ApiViews() {
    }

    static String time(Instant at) {
        return at == null ? null : at.toString();
    }

    static Map<String, Object> host(Host h, int queued, Polls polls) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", h.name());
        m.put("type", h.type());
        m.put("labels", h.labels() == null || h.labels().isBlank() ? List.of() : List.of(h.labels().split("\\s*,\\s*")));
        m.put("owner", h.owner());
        m.put("ownerOnly", h.ownerOnly());
        m.put("state", h.state().label());
        m.put("stateSince", time(h.stateSince()));
        m.put("queued", queued);
        m.put("currentRequest", h.currentRequest());
        m.put("step", h.step());
        m.put("message", h.message());
        Map<String, Object> reported = new LinkedHashMap<>();
        reported.put("status", h.reportedStatus());
        reported.put("seq", h.lastSeq());
        reported.put("at", time(h.lastSeen()));
        reported.put("agentVersion", h.agentVersion());
        reported.put("bootId", h.bootId());
        m.put("lastReport", reported);
        Map<String, Object> poll = new LinkedHashMap<>();
        poll.put("count", polls.count());
        poll.put("last", time(polls.last()));
        m.put("polls", poll);
        m.put("ingestError", h.ingestError());
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", h.health().label());
        health.put("reason", h.health().reason());
        health.put("checkedAt", time(h.health().at()));
        m.put("health", health);
        return m;
    }

    static Map<String, Object> request(Request r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("host", r.host());
        m.put("pool", r.pool() == null ? null : pool(r.pool()));
        m.put("healthCheck", r.healthCheck());
        m.put("requester", r.requester());
        m.put("state", r.state().label());
        m.put("reason", r.reason());
        m.put("priority", r.priority().label());
        m.put("filed", time(r.filedAt()));
        m.put("placed", time(r.placedAt()));
        m.put("finished", time(r.finishedAt()));
        m.put("selfReboot", r.selfReboot());
        m.put("kernelInstall", r.kernelInstall());
        m.put("buildSet", r.buildSet());
        m.put("timeoutSeconds", r.timeoutSeconds());
        m.put("repositoryUrl", r.repositoryUrl());
        List<Map<String, Object>> tests = new ArrayList<>();
        for (TestSpec t : r.tests()) {
            Map<String, Object> test = new LinkedHashMap<>();
            test.put("package", t.packageName());
            test.put("args", t.args());
            tests.add(test);
        }
        m.put("tests", tests);
        return m;
    }

    static Map<String, Object> pool(Pool pool) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", pool.type());
        m.put("labels", pool.labels());
        return m;
    }

    static Map<String, Object> requestDetail(Request r, List<RequestRows.Event> events, List<ResultRows.TestResult> results,
                                             Reports.Summary cases, Reports.Comparison comparison, List<String> sysinfo,
                                             Instant predictedStart) {
        Map<String, Object> m = request(r);
        m.put("predictedStart", time(predictedStart));
        m.put("packages", r.packages().stream().map(p -> {
            Map<String, Object> pin = new LinkedHashMap<>();
            pin.put("type", p.type());
            pin.put("name", p.name());
            pin.put("file", p.file());
            pin.put("sha256", p.sha256());
            pin.put("size", p.size());
            return pin;
        }).toList());
        m.put("timeline", events.stream().map(e -> {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("at", time(e.at()));
            event.put("state", e.state().label());
            event.put("note", e.note());
            return event;
        }).toList());
        m.put("results", results.stream().map(t -> {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("index", t.index());
            result.put("name", t.name());
            result.put("outcome", t.outcome());
            result.put("exitCode", t.exitCode());
            result.put("started", time(t.started()));
            result.put("finished", time(t.finished()));
            result.put("logs", t.logs().stream().map(l -> "/api/v1/requests/" + r.id() + "/logs/" + l).toList());
            Reports.TestCases testCases = cases.test(t.index());
            Map<String, Object> counts = new LinkedHashMap<>();
            for (CaseOutcome o : CaseOutcome.values()) {
                counts.put(o.label(), testCases.counts().getOrDefault(o, 0));
            }
            result.put("cases", counts);
            result.put("droppedCases", testCases.dropped());
            result.put("failingCases", testCases.failing().stream().map(ApiViews::testCase).toList());
            return result;
        }).toList());
        m.put("caseProblems", cases.problems().stream().map(p -> {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("test", p.testIndex());
            problem.put("message", p.message());
            return problem;
        }).toList());
        Map<String, Object> compared = new LinkedHashMap<>();
        Map<String, Object> previous = new LinkedHashMap<>();
        comparison.previous().forEach((index, id) -> previous.put(Integer.toString(index), id));
        compared.put("previous", previous);
        Map<String, Object> verdicts = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) {
            verdicts.put(v.label(), comparison.counts().getOrDefault(v, 0));
        }
        compared.put("counts", verdicts);
        compared.put("findings", comparison.findings().stream().map(ApiViews::finding).toList());
        compared.put("confirms", comparison.confirms());
        compared.put("confirmation", comparison.confirmation());
        m.put("comparison", compared);
        m.put("casesUrl", "/api/v1/requests/" + r.id() + "/cases");
        m.put("junitUrl", "/api/v1/requests/" + r.id() + "/junit.xml");
        m.put("sysinfo", sysinfo.stream().map(f -> "/api/v1/requests/" + r.id() + "/logs/" + f).toList());
        return m;
    }

    /** One verdict: which request and test, the scope it was compared on, the case, before and now. */
    static Map<String, Object> finding(HistoryRows.Stored s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request", Request.idOf(s.requestNum()));
        m.put("test", s.testIndex());
        m.put("testName", s.testName());
        m.put("scope", s.scope());
        m.put("suite", s.finding().suite());
        m.put("name", s.finding().name());
        m.put("verdict", s.finding().verdict().label());
        m.put("outcome", s.finding().outcome() == null ? null : s.finding().outcome().label());
        m.put("previous", s.finding().previous() == null ? null : s.finding().previous().label());
        m.put("knownIssue", s.finding().knownIssue());
        m.put("confirmation", s.confirmation());
        m.put("confirmedBy", s.confirmedBy() == null ? null : Request.idOf(s.confirmedBy()));
        m.put("at", time(s.endedAt()));
        return m;
    }

    static Map<String, Object> testCase(TestCase c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suite", c.suite());
        m.put("name", c.name());
        m.put("outcome", c.outcome().label());
        m.put("durationMs", c.durationMillis());
        m.put("message", c.message());
        return m;
    }

    public static Map<String, Object> user(User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("role", u.role().label());
        m.put("canLogIn", u.canLogIn());
        return m;
    }

    public static Map<String, Object> key(KeyRows.Key k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", k.type());
        m.put("fingerprint", k.fingerprint());
        m.put("added", time(k.addedAt()));
        m.put("addedBy", k.addedBy());
        return m;
    }

    /** A config file as {@code GET /hosts/<h>/config/<f>} gives it: the latest version with every version, newest first. */
    public static Map<String, Object> configFile(List<ConfigRows.Version> history) {
        Map<String, Object> m = config(history.get(history.size() - 1), true);
        List<Map<String, Object>> versions = new ArrayList<>();
        history.forEach(v -> versions.add(0, config(v, true)));
        m.put("history", versions);
        return m;
    }

    static Map<String, Object> config(ConfigRows.Version v, boolean withContent) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", v.file());
        m.put("at", time(v.at()));
        m.put("author", v.author());
        m.put("valid", v.valid());
        m.put("problems", v.problems());
        m.put("deleted", v.content() == null && v.valid());
        if (withContent) {
            m.put("content", v.content());
        }
        return m;
    }

    static Map<String, Object> stats(LabStats.Series s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", s.host());
        m.put("days", s.days());
        m.put("outcomesPerDay", s.outcomes().stream().map(d -> {
            Map<String, Object> day = new LinkedHashMap<>();
            day.put("day", d.day().toString());
            day.putAll(d.outcomes());
            return day;
        }).toList());
        m.put("queueLength", s.queue().stream().map(q -> {
            Map<String, Object> sample = new LinkedHashMap<>();
            sample.put("at", time(q.at()));
            sample.put("queued", q.queued());
            return sample;
        }).toList());
        return m;
    }
}
