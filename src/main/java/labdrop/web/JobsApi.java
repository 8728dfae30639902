package labdrop.web;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import labdrop.report.JunitExport;
import labdrop.request.Job;

/** {@code /api/v1/jobs}: several requests on a pool at once (N distinct hosts, or every active host). */
final class JobsApi {
    private final WebServices services;
    private final Logs logs;

    JobsApi(WebServices services, Logs logs) {
        this.services = services;
        this.logs = logs;
    }

    void routes(Router<ApiCall> router) {
        router.add("POST", "/jobs", this::file)
                .add("GET", "/jobs/{id}", x -> view(services.desk().findJob(x.param("id"))))
                .add("POST", "/jobs/{id}/cancel", this::cancel)
                .add("GET", "/jobs/{id}/junit.xml", this::junit);
    }

    private Object file(Call x) throws IOException {
        JsonBody body = x.json();
        Job job = services.desk().fileJob(RequestsApi.spec(body, x.user().name()), body.integer("hosts"),
                body.flag("all"));
        x.created();
        return view(job);
    }

    private Object cancel(Call x) {
        Job job = services.desk().findJob(x.param("id"));
        Access.requireCancel(x.user(), job);
        return view(services.desk().cancelJob(job.id(), x.user().name()));
    }

    /** One JUnit document for all the job's requests: a testsuite per test of each. */
    private ApiHandler.Xml junit(Call x) {
        Job job = services.desk().findJob(x.param("id"));
        return new ApiHandler.Xml(JunitExport.write(job.id(), job.members().stream().map(services.reports()::run).toList(),
                logs::tail));
    }

    static Map<String, Object> view(Job job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id());
        m.put("requester", job.requester());
        m.put("filed", ApiViews.time(job.filedAt()));
        m.put("pool", ApiViews.pool(job.pool()));
        m.put("everyHost", job.everyHost());
        m.put("state", job.state());
        m.put("requests", job.members().stream().map(ApiViews::request).toList());
        return m;
    }
}
