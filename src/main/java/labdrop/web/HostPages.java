package labdrop.web;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.error.LabdropException;
import labdrop.host.Host;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.server.Services;
import labdrop.store.ConfigRows;
import labdrop.user.Role;
import labdrop.user.User;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** The host page: state, queue, config/directions with its history as diffs; for admins, maint/activate/retire and editing. */
final class HostPages {
    private final Services services;
    private final Pages pages;

    HostPages(Services services, Pages pages) {
        this.services = services;
        this.pages = pages;
    }

    boolean view(Response response, Callback callback, Session session, User user, String name, String error, int status) {
        Host h;
        try {
            h = services.hosts().show(name);
        } catch (LabdropException e) {
            return WebHandler.html(response, callback, 404, "<!DOCTYPE html><title>Not found</title><p>No such host.</p>");
        }
        Map<String, Object> values = WebHandler.base(session, Optional.of(user));
        Map<String, Object> view = new HashMap<>();
        view.put("name", h.name());
        view.put("state", h.state().label());
        view.put("type", h.type());
        view.put("owner", h.owner() == null ? "" : h.owner());
        view.put("ownerOnly", h.ownerOnly());
        view.put("labels", h.labels());
        view.put("reported", h.reportedStatus() == null ? "nothing yet" : h.reportedStatus() + ", seq " + h.lastSeq() + ", " + h.lastSeen());
        view.put("step", h.step() == null ? "" : h.step());
        view.put("ingestError", h.ingestError());
        values.put("h", view);
        values.put("admin", user.role() == Role.ADMIN);
        values.put("error", error);
        List<Map<String, Object>> queue = new ArrayList<>();
        for (Request r : services.desk().list(name, null, 200)) {
            if (r.state().isActive() || r.state() == RequestState.QUEUED) {
                queue.add(Map.of("id", r.id(), "state", r.state().label(), "priority", r.priority().label(), "requester", r.requester()));
            }
        }
        values.put("queue", queue);
        List<ConfigRows.Version> history = services.hosts().configHistory(name, "directions");
        values.put("directions", history.isEmpty() || history.get(history.size() - 1).content() == null ? ""
                : history.get(history.size() - 1).content());
        values.put("history", diffs(history));
        return WebHandler.html(response, callback, status, pages.render("host.peb", values));
    }

    /** Newest first, each version as a unified diff against the one before it. */
    private static List<Map<String, Object>> diffs(List<ConfigRows.Version> history) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> previous = List.of();
        for (ConfigRows.Version v : history) {
            List<String> lines = v.content() == null ? List.of() : Arrays.asList(v.content().split("\n", -1));
            List<String> diff = UnifiedDiffUtils.generateUnifiedDiff("before", "after", previous,
                    DiffUtils.diff(previous, lines), 2);
            Map<String, Object> m = new HashMap<>();
            m.put("at", v.at().toString());
            m.put("author", v.author());
            m.put("valid", v.valid());
            m.put("problems", v.problems() == null ? "" : v.problems());
            m.put("diff", String.join("\n", diff.size() > 2 ? diff.subList(2, diff.size()) : diff));
            out.add(0, m);
            if (v.valid()) {
                previous = lines;
            }
        }
        return out;
    }

    /** POST /hosts/<name>/<action>: admins only. */
    boolean post(org.eclipse.jetty.server.Request request, Response response, Callback callback, Session session, User user,
                 String rest, Fields form) {
        String[] parts = rest.split("/", 2);
        String name = parts[0];
        if (user.role() != Role.ADMIN) {
            return WebHandler.html(response, callback, 403, "<!DOCTYPE html><title>Forbidden</title><p>Only admins change hosts.</p>");
        }
        try {
            switch (parts.length == 2 ? parts[1] : "") {
                case "maint" -> services.hosts().maint(name);
                case "activate" -> services.hosts().activate(name);
                case "retire" -> services.hosts().retire(name, user.name());
                case "config/directions" -> services.hosts().writeConfig(name, "directions",
                        form.getValue("content") == null ? "" : form.getValue("content").replace("\r\n", "\n"), user.name());
                default -> {
                    return WebHandler.html(response, callback, 404, "<!DOCTYPE html><title>Not found</title><p>Not found.</p>");
                }
            }
        } catch (LabdropException e) {
            return view(response, callback, session, user, name, e.getMessage(), ApiErrors.status(e));
        }
        Response.sendRedirect(request, response, callback, "/hosts/" + name);
        return true;
    }
}
