package labdrop.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.error.BadInputException;
import labdrop.queue.RequestDesk;
import labdrop.report.JunitExport;
import labdrop.report.Reports;
import labdrop.request.Job;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.result.CaseOutcome;
import labdrop.store.RequestRows;

/** {@code /api/v1/requests}: filing, listing, one request's detail and logs, cancel and move. */
final class RequestsApi {
    private final WebServices services;
    private final Logs logs;

    RequestsApi(WebServices services, Logs logs) {
        this.services = services;
        this.logs = logs;
    }

    void routes(Router<ApiCall> router) {
        router.add("GET", "/requests", this::list)
                .add("POST", "/requests", this::file)
                .add("GET", "/requests/{id}", x -> detail(services.desk().find(x.param("id"))))
                .add("POST", "/requests/{id}/cancel", this::cancel)
                .add("POST", "/requests/{id}/move", this::move)
                .add("GET", "/requests/{id}/logs/{name...}", this::log)
                .add("GET", "/requests/{id}/cases", this::cases)
                .add("GET", "/requests/{id}/junit.xml", x -> junit(services.desk().find(x.param("id"))));
    }

    private Object list(Call x) {
        String state = x.query("state");
        int limit = x.number("limit", 100, 1, 1000);
        int offset = x.number("offset", 0, 0, RequestDesk.MAX_OFFSET);
        String job = x.query("job");
        long jobNumber = job == null ? 0 : Job.numberOf(job);
        if (jobNumber < 0) {
            throw new BadInputException("query parameter job=" + job + " is not a job id; job ids look like j-7");
        }
        String requester = "true".equals(x.query("mine")) ? x.user().name() : x.query("requester");
        return services.desk().list(new RequestRows.Filter(x.query("host"), state == null ? null : RequestState.parse(state),
                x.query("type"), job == null ? null : jobNumber, requester, x.query("test"), x.query("q")), offset, limit)
                .stream().map(ApiViews::request).toList();
    }

    private Object file(Call x) throws IOException {
        Request filed = services.desk().file(spec(x.json(), x.user().name()));
        x.created();
        return detail(filed);
    }

    /** The request a POST body describes (for one host, or for a pool), filed by {@code requester}. */
    static RequestSpec spec(JsonBody body, String requester) {
        List<TestSpec> tests = new ArrayList<>();
        for (JsonNode t : body.list("tests")) {
            JsonBody test = JsonBody.of(t);
            tests.add(t.isTextual() ? TestSpec.parse(t.asText()) : new TestSpec(test.text("package", true), null,
                    test.strings("args"), test.integer("timeoutSeconds")));
        }
        JsonBody pool = body.object("pool");
        return new RequestSpec(body.text("host", pool == null), requester, tests,
                Priority.parse(Optional.ofNullable(body.text("priority", false)).orElse("normal")),
                body.flag("selfReboot"), body.text("kernelInstall", false), body.text("buildSet", false),
                body.integer("timeoutSeconds"), body.text("repositoryUrl", false),
                pool == null ? null : new Pool(pool.text("type", true), pool.strings("labels")),
                body.flag("confirmFailures"));
    }

    private Object cancel(Call x) throws IOException {
        Request r = services.desk().find(x.param("id"));
        Access.requireCancel(x.user(), r, r.host() == null ? null : services.hosts().show(r.host()));
        return detail(services.desk().cancel(r.id(), x.user().name()));
    }

    private Object move(Call x) throws IOException {
        Request r = services.desk().find(x.param("id"));
        if (r.host() != null) {
            Access.requireReorder(x.user(), services.hosts().show(r.host()));
        }
        return detail(services.desk().move(r.id(), x.json().text("direction", true), x.user().name()));
    }

    private Object log(Call x) throws IOException {
        Request r = services.desk().find(x.param("id"));
        long offset = x.number("offset", 0, 0, Integer.MAX_VALUE);
        return new ApiHandler.Text(logs.read(r, x.param("name"), offset).bytes());
    }

    /** A page of the request's cases ({@code outcome=fail,error} for only those), in test and report order. */
    private Object cases(Call x) {
        Request r = services.desk().find(x.param("id"));
        int limit = x.number("limit", 1000, 1, Reports.MAX_PAGE);
        int offset = x.number("offset", 0, 0, Integer.MAX_VALUE);
        List<CaseOutcome> outcomes = new ArrayList<>();
        String outcome = x.query("outcome");
        if (outcome != null && !outcome.isBlank()) {
            for (String label : outcome.split(",")) {
                outcomes.add(CaseOutcome.of(label.strip()).orElseThrow(() -> new BadInputException("outcome=" + label
                        + " is not a case outcome; give pass, fail, error or skip, comma-separated")));
            }
        }
        Map<Integer, String> names = new HashMap<>();
        services.desk().results(r).forEach(t -> names.put(t.index(), t.name()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request", r.id());
        m.put("offset", offset);
        m.put("cases", services.reports().cases(r, outcomes, offset, limit).stream().map(row -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("test", row.testIndex());
            c.put("testName", names.get(row.testIndex()));
            c.putAll(ApiViews.testCase(row.testCase()));
            return c;
        }).toList());
        return m;
    }

    private ApiHandler.Xml junit(Request r) {
        return new ApiHandler.Xml(JunitExport.write(r.id(), List.of(services.reports().run(r)), logs::tail));
    }

    private Map<String, Object> detail(Request r) throws IOException {
        return ApiViews.requestDetail(r, services.desk().events(r), services.desk().results(r),
                services.reports().summary(r), services.reports().comparison(r), logs.sysinfo(r), services.estimates().predictedStart(r));
    }
}
