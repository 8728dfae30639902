package labdrop.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import labdrop.drop.SafeRead;
import labdrop.error.BadInputException;
import labdrop.error.LabdropException;
import labdrop.error.NotFoundException;
import labdrop.host.Host;
import labdrop.host.HostTypes;
import labdrop.host.HostState;
import labdrop.pkg.PackageType;
import labdrop.request.Job;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.RequestLimits;
import labdrop.report.Reports;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.user.User;

/** The request form, a request's page with its live feed and logs, and cancel and move from the pages. */
final class RequestPages {
    private final WebServices services;
    private final Pages pages;
    private final Logs logs;

    RequestPages(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
        this.logs = new Logs(services);
    }

    /** Most test rows the form takes (the API and CLI take up to {@link RequestLimits#MAX_TESTS}). */
    static final int MAX_FORM_TESTS = 50;
    /** Test rows a fresh form shows; "Add a test" adds more. */
    private static final int FIRST_ROWS = 3;

    /** GET /requests/new. */
    void form(Exchange x) {
        x.html(200, pages.render("request-form.peb", formValues(x, null)));
    }

    /**
     * POST /requests: files a request for a host or a pool, or a job of N hosts or every host of a
     * pool, then its page (a job's page for a job); a refusal shows the form again as it was, with
     * the reason.
     */
    void file(Exchange x) {
        try {
            RequestSpec spec = spec(x);
            boolean all = "true".equals(x.form("all"));
            String count = blankToNull(x.form("hosts"));
            if (spec.pool() != null && (all || count != null)) {
                Job job = services.desk().fileJob(spec, all ? null : number("hosts", count), all);
                x.redirect("/jobs/" + job.id());
                return;
            }
            if (spec.host() != null && (all || count != null)) {
                throw new BadInputException("several hosts (N hosts, or every host) are for a pool: choose \"Any free,"
                        + " healthy host of the type\", or clear the number of hosts");
            }
            x.redirect("/requests/" + services.desk().file(spec).id());
        } catch (LabdropException e) {
            x.html(Errors.status(e), pages.render("request-form.peb", formValues(x, e.getMessage())));
        }
    }

    /** What the form asks for: host or pool, the test rows that name a test, priority and steps. */
    private static RequestSpec spec(Exchange x) {
        List<TestSpec> tests = new ArrayList<>();
        for (int n = 1; n <= MAX_FORM_TESTS; n++) {
            String test = blankToNull(x.form("test-" + n));
            String args = blankToNull(x.form("args-" + n));
            if (test == null && args != null) {
                throw new BadInputException("test " + n + " has arguments but no test; choose its test or clear them");
            }
            if (test != null) {
                tests.add(TestSpec.parse(args == null ? test : test + ":" + args));
            }
        }
        if (x.form("test-" + (MAX_FORM_TESTS + 1)) != null) {
            throw new BadInputException("the form takes up to " + MAX_FORM_TESTS + " tests; file longer lists with the"
                    + " API or labdrop request file");
        }
        boolean pool = "pool".equals(x.form("target"));
        String labels = blankToNull(x.form("labels"));
        return new RequestSpec(pool ? null : x.form("host"), x.user().name(), tests,
                Priority.parse(x.form("priority") == null ? "normal" : x.form("priority")),
                "true".equals(x.form("reboot")), blankToNull(x.form("kernel")), blankToNull(x.form("buildset")),
                null, null, pool ? new Pool(x.form("type"), labels == null ? List.of()
                : Arrays.stream(labels.split(",")).map(String::strip).filter(l -> !l.isEmpty()).toList()) : null,
                "true".equals(x.form("confirm")));
    }

    private static int number(String field, String text) {
        if (!text.matches("[0-9]{1,4}")) {
            throw new BadInputException(field + " '" + text + "' is not a whole number of hosts; give 1.." + Job.MAX_HOSTS);
        }
        return Integer.parseInt(text);
    }

    /** The form's values: the hosts and types to choose from, and what was asked when a filing was refused. */
    private Map<String, Object> formValues(Exchange x, String error) {
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(x.user()));
        List<Map<String, Object>> hosts = new ArrayList<>();
        Set<String> types = new TreeSet<>();
        for (Host h : services.hosts().list()) {
            if (h.state() != HostState.RETIRED) {
                hosts.add(Map.of("name", h.name(), "type", h.type(), "state", h.state().label(), "ownerOnly", h.ownerOnly(),
                        "owner", h.owner() == null ? "" : h.owner()));
                types.add(h.type());
            }
        }
        boolean refused = error != null;
        values.put("hosts", hosts);
        values.put("types", types);
        values.put("tests", services.lab().catalog().names(PackageType.TEST));
        values.put("maxTests", MAX_FORM_TESTS);
        values.put("maxHosts", Job.MAX_HOSTS);
        List<Map<String, Object>> rows = new ArrayList<>();
        int last = 0;
        for (int n = 1; refused && n <= MAX_FORM_TESTS; n++) {
            if (x.form("test-" + n) != null) {
                last = n;
            }
        }
        for (int n = 1; n <= Math.max(FIRST_ROWS, last); n++) {
            rows.add(Map.of("n", n, "test", refused ? Objects.toString(x.form("test-" + n), "") : "",
                    "args", refused ? Objects.toString(x.form("args-" + n), "") : ""));
        }
        values.put("rows", rows);
        for (String field : List.of("host", "target", "type", "labels", "kernel", "buildset")) {
            values.put(field, refused ? Objects.toString(x.form(field), "") : "");
        }
        values.put("hostCount", refused ? Objects.toString(x.form("hosts"), "") : "");
        values.put("all", refused && "true".equals(x.form("all")));
        values.put("reboot", refused && "true".equals(x.form("reboot")));
        values.put("confirm", refused && "true".equals(x.form("confirm")));
        values.put("priority", refused && x.form("priority") != null ? x.form("priority") : "normal");
        values.put("error", error);
        return values;
    }

    /** GET /requests/<id>. */
    void page(Exchange x) {
        Request r;
        try {
            r = services.desk().find(x.param("id"));
        } catch (LabdropException e) {
            x.html(404, "<!DOCTYPE html><title>Not found</title><p>No such request.</p>");
            return;
        }
        User user = x.user();
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(user));
        Map<String, Object> view = new HashMap<>();
        view.put("id", r.id());
        view.put("host", r.host());
        view.put("pool", r.pool() == null ? null : r.pool().label());
        view.put("state", r.state().label());
        Instant predicted = services.estimates().predictedStart(r);
        view.put("predicted", predicted == null ? null : predicted.toString());
        view.put("reason", r.reason());
        view.put("requester", r.requester());
        view.put("priority", r.priority().label());
        view.put("filed", r.filedAt().toString());
        view.put("tests", r.tests().stream().map(t -> t.packageName() + (t.args().isEmpty() ? "" : " "
                + String.join(" ", t.args()))).toList());
        values.put("r", view);
        Host host = r.host() == null ? null : services.hosts().show(r.host());
        values.put("canCancel", !r.state().isFinal() && Access.canCancel(user, r, host));
        try {
            values.put("running", logs.running(r));
            List<String> sysinfo = logs.sysinfo(r);
            values.put("sysinfo", sysinfo);
            if (sysinfo.contains("sysinfo/distribution.txt")) {
                values.put("distribution", new String(logs.read(r, "sysinfo/distribution.txt", 0).bytes(),
                        StandardCharsets.UTF_8).lines().findFirst().orElse(""));
            }
        } catch (IOException | LabdropException e) {
            values.put("running", List.of());
            values.put("sysinfo", List.of());
        }
        values.put("final", r.state().isFinal());
        values.put("events", services.desk().events(r).stream().map(e -> {
            Map<String, Object> m = new HashMap<>();
            m.put("at", e.at().toString());
            m.put("state", e.state().label());
            m.put("note", e.note());
            return m;
        }).toList());
        Reports.Summary cases = services.reports().summary(r);
        List<Map<String, Object>> failing = new ArrayList<>();
        values.put("results", services.desk().results(r).stream().map(t -> {
            Map<String, Object> m = new HashMap<>();
            m.put("index", t.index());
            m.put("name", t.name());
            m.put("outcome", t.outcome());
            m.put("exitCode", t.exitCode() == null ? "" : t.exitCode());
            m.put("logs", t.logs());
            Reports.TestCases tc = cases.test(t.index());
            m.put("cases", CasePages.counts(tc));
            tc.failing().forEach(c -> failing.add(CasePages.row(t.name(), c)));
            return m;
        }).toList());
        values.put("failing", failing);
        values.put("hostType", host == null || host.type().equals(HostTypes.DEFAULT) ? null : host.type());
        Reports.Comparison comparison = services.reports().comparison(r);
        values.put("previous", comparison.previous().entrySet().stream().map(e -> Map.of("index", e.getKey(),
                "id", e.getValue())).toList());
        values.put("findings", comparison.findings().stream().map(CasePages::finding).toList());
        values.put("verdictCounts", CasePages.verdictCounts(comparison.counts()));
        values.put("confirms", comparison.confirms());
        values.put("caseProblems", cases.problems().stream().map(p -> (p.testIndex() == null ? "" : "test "
                + p.testIndex() + ": ") + p.message()).toList());
        x.html(200, pages.render("request.peb", values));
    }

    /** POST /requests/<id>/cancel, then the request's page. */
    void cancel(Exchange x) {
        change(x, true);
    }

    /** POST /requests/<id>/move (direction up|down|top), then the host's page. */
    void move(Exchange x) {
        change(x, false);
    }

    private void change(Exchange x, boolean cancel) {
        String id = x.param("id");
        try {
            Request r = services.desk().find(id);
            Host host = r.host() == null ? null : services.hosts().show(r.host());
            if (cancel) {
                Access.requireCancel(x.user(), r, host);
                services.desk().cancel(id, x.user().name());
                x.redirect("/requests/" + id);
            } else {
                if (host != null) {
                    Access.requireReorder(x.user(), host);
                }
                services.desk().move(id, x.form("direction") == null ? "" : x.form("direction"), x.user().name());
                x.redirect("/hosts/" + r.host());
            }
        } catch (LabdropException e) {
            x.html(Errors.status(e), pages.render("message.peb",
                    PageValues.message(x.session(), x.user(), "Not done", e.getMessage(), "/requests/" + id)));
        }
    }

    /** GET /live/requests/<id>.json: the request as the API shows it, plus the logs of the test running now. */
    void live(Exchange x) throws IOException {
        String file = x.param("file");
        Request r;
        try {
            if (!file.endsWith(".json")) {
                throw new NotFoundException("no live feed " + file + "; ask for <id>.json");
            }
            r = services.desk().find(file.substring(0, file.length() - ".json".length()));
        } catch (LabdropException e) {
            x.json(404, Map.of("error", e.getMessage()));
            return;
        }
        Map<String, Object> m = ApiViews.requestDetail(r, services.desk().events(r), services.desk().results(r),
                services.reports().summary(r), services.reports().comparison(r), logs.sysinfo(r), services.estimates().predictedStart(r));
        m.put("runningLogs", logs.running(r));
        x.json(200, m);
    }

    /**
     * GET /requests/<id>/log/<name>: one log the agent pushed, as plain text (the first
     * {@link Logs#WINDOW} bytes, with a note when there is more; the API serves the rest by offset).
     */
    void log(Exchange x) throws IOException {
        String id = x.param("id");
        String name = x.param("name");
        String offset = x.query("offset");
        SafeRead.Window window;
        try {
            window = logs.read(services.desk().find(id), name, offset == null || !offset.matches("[0-9]{1,15}") ? 0
                    : Long.parseLong(offset));
        } catch (LabdropException e) {
            x.html(404, "<!DOCTYPE html><title>Not found</title><p>No such log.</p>");
            return;
        }
        x.header("X-Labdrop-Next-Offset", Long.toString(window.next()));
        if (offset != null) {
            // The live view follows the log piece by piece: raw bytes, no note.
            x.bytes(200, "text/plain; charset=utf-8", window.bytes());
            return;
        }
        String tail = window.size() > window.next() ? "\n[labdrop: log cut at " + window.next() + " of " + window.size()
                + " bytes; GET /api/v1/requests/" + id + "/logs/" + name + "?offset=" + window.next() + " reads on]\n" : "";
        byte[] bytes = window.bytes();
        byte[] body = new byte[bytes.length + tail.length()];
        System.arraycopy(bytes, 0, body, 0, bytes.length);
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, body, bytes.length, tail.length());
        x.bytes(200, "text/plain; charset=utf-8", body);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
