package labdrop.web;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import labdrop.error.LabdropException;
import labdrop.request.Job;
import labdrop.request.Request;

/** A job's page ({@code /jobs/<id>}: its state, pool and requests) and cancelling it from there. */
final class JobPages {
    private final WebServices services;
    private final Pages pages;

    JobPages(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
    }

    /** GET /jobs/<id>. */
    void view(Exchange x) {
        Job job;
        try {
            job = services.desk().findJob(x.param("id"));
        } catch (LabdropException e) {
            x.html(404, "<!DOCTYPE html><title>Not found</title><p>No such job.</p>");
            return;
        }
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(x.user()));
        Map<String, Object> view = new HashMap<>();
        view.put("id", job.id());
        view.put("state", job.state());
        view.put("pool", job.pool().label());
        view.put("everyHost", job.everyHost());
        view.put("requester", job.requester());
        view.put("filed", job.filedAt().toString());
        values.put("j", view);
        values.put("canCancel", Access.canCancel(x.user(), job) && job.members().stream().anyMatch(r -> !r.state().isFinal()));
        values.put("members", job.members().stream().map(JobPages::member).toList());
        x.html(200, pages.render("job.peb", values));
    }

    /** POST /jobs/<id>/cancel: its requester or an admin cancels every unfinished member, then the job's page. */
    void cancel(Exchange x) {
        String id = x.param("id");
        try {
            Job job = services.desk().findJob(id);
            Access.requireCancel(x.user(), job);
            services.desk().cancelJob(job.id(), x.user().name());
            x.redirect("/jobs/" + job.id());
        } catch (LabdropException e) {
            x.html(Errors.status(e), pages.render("message.peb",
                    PageValues.message(x.session(), x.user(), "Not done", e.getMessage(), "/jobs/" + id)));
        }
    }

    private static Map<String, Object> member(Request r) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", r.id());
        m.put("host", r.host());
        m.put("state", r.state().label());
        m.put("reason", r.reason() == null ? "" : r.reason());
        return m;
    }
}
