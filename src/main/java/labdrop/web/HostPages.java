package labdrop.web;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.error.LabdropException;
import labdrop.host.Host;
import labdrop.host.HostHealth;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.ConfigRows;
import labdrop.store.KeyRows;
import labdrop.store.PollRows.Polls;
import labdrop.user.User;

/**
 * The host page: state, polls, queue (cancel and reorder for the host's owner and admins),
 * history with outcomes and charts, the config/ files with their history as diffs, SSH keys;
 * for admins, maint/activate/retire, a health check now, owner and owner-only, editing config files and keys.
 */
final class HostPages {
    private final WebServices services;
    private final Pages pages;

    HostPages(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
    }

    /** GET /hosts/<name>?file=: the host, its queue and history, a config file with its versions, its keys. */
    void view(Exchange x) {
        view(x, x.param("host"), x.query("file"), null, 200);
    }

    private void view(Exchange x, String name, String file, String error, int status) {
        User user = x.user();
        Host h;
        String shown = file == null || file.isBlank() ? "directions" : file;
        try {
            h = services.hosts().show(name);
            Names.require("config file name", shown);
        } catch (LabdropException e) {
            x.html(404, "<!DOCTYPE html><title>Not found</title><p>No such host or file.</p>");
            return;
        }
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(user));
        Map<String, Object> view = new HashMap<>();
        view.put("name", h.name());
        view.put("state", h.state().label());
        view.put("type", h.type());
        view.put("owner", h.owner() == null ? "" : h.owner());
        view.put("ownerOnly", h.ownerOnly());
        view.put("labels", h.labels());
        view.put("reported", h.reportedStatus() == null ? "nothing yet" : h.reportedStatus() + ", seq " + h.lastSeq() + ", " + h.lastSeen());
        view.put("agentVersion", h.agentVersion() == null ? "" : h.agentVersion());
        view.put("step", h.step() == null ? "" : h.step());
        view.put("message", h.message() == null ? "" : h.message());
        view.put("ingestError", h.ingestError());
        view.put("health", h.health().label() + (h.health().at() == null ? "" : " (" + h.health().at() + ": "
                + h.health().reason() + ")"));
        view.put("unhealthy", h.health().verdict() == HostHealth.Verdict.FAILED);
        Polls polls = services.doorbell().polls(h.name());
        view.put("polls", polls.count() + (polls.last() == null ? "" : ", last " + polls.last()));
        view.put("gateway", services.doorbell().gatewaySync(h.name())
                .map(g -> "lab " + g.lab() + ", last synced " + g.at()).orElse(""));
        values.put("h", view);
        values.put("admin", Access.isAdmin(user));
        values.put("canReorder", Access.canReorder(user, h));
        values.put("error", error);
        List<Map<String, Object>> queue = new ArrayList<>();
        List<Request> waiting = new ArrayList<>(services.desk().queue(name));
        services.desk().list(name, null, 50).stream().filter(r -> r.state().isActive()).forEach(r -> waiting.add(0, r));
        for (Request r : waiting) {
            queue.add(Map.of("id", r.id(), "state", r.state().label(), "priority", r.priority().label(),
                    "requester", r.requester(), "queued", r.state() == RequestState.QUEUED,
                    "canCancel", Access.canCancel(user, r, h)));
        }
        values.put("queue", queue);
        values.put("history", services.desk().list(name, null, 30).stream().filter(r -> r.state().isFinal()).map(r -> {
            Map<String, Object> m = new HashMap<>();
            m.put("id", r.id());
            m.put("state", r.state().label());
            m.put("requester", r.requester());
            m.put("finished", r.finishedAt() == null ? "" : r.finishedAt().toString());
            m.put("reason", r.reason() == null ? "" : r.reason());
            return m;
        }).toList());
        values.put("files", services.hosts().configFiles(name).stream().map(ConfigRows.Version::file).sorted().toList());
        values.put("file", shown);
        List<ConfigRows.Version> versions = services.hosts().configHistory(name, shown);
        String content = versions.stream().filter(ConfigRows.Version::valid).reduce((a, b) -> b)
                .map(ConfigRows.Version::content).orElse("");
        values.put("content", content == null ? "" : content);
        values.put("versions", diffs(versions));
        values.put("keys", services.keys().list(KeyRows.HOST, name).stream().map(k -> Map.of("type", k.type(),
                "fingerprint", k.fingerprint(), "added", k.addedAt().toString(), "by", k.addedBy() == null ? "" : k.addedBy())).toList());
        x.html(status, pages.render("host.peb", values));
    }

    /** Newest first, each version as a unified diff against the valid one before it. */
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
            m.put("diff", v.content() == null ? "(deleted)" : String.join("\n", diff.size() > 2 ? diff.subList(2, diff.size()) : diff));
            out.add(0, m);
            if (v.valid()) {
                previous = lines;
            }
        }
        return out;
    }

    /** POST /hosts/<name>/<action>: admins only. */
    void post(Exchange x) {
        User user = x.user();
        String name = x.param("host");
        String action = x.param("action");
        String back = "/hosts/" + name;
        try {
            Access.requireAdmin(user, "change hosts");
            switch (action) {
                case "maint" -> services.hosts().maint(name);
                case "activate" -> services.hosts().activate(name);
                case "retire" -> services.hosts().retire(name, user.name());
                case "health" -> services.hosts().checkHealth(name, user.name());
                case "settings" -> {
                    String owner = x.form("owner") == null || x.form("owner").isBlank() ? null
                            : x.form("owner").strip();
                    boolean ownerOnly = "true".equals(x.form("ownerOnly"));
                    if (!ownerOnly) {
                        services.hosts().set(name, "owner-only", false);
                    }
                    services.hosts().set(name, "owner", owner);
                    services.hosts().set(name, "labels", x.form("labels") == null ? "" : x.form("labels").strip());
                    if (ownerOnly) {
                        services.hosts().set(name, "owner-only", true);
                    }
                }
                case "keys" -> services.keys().add(KeyRows.HOST, name, x.form("key") == null ? "" : x.form("key"),
                        "the key field", user.name());
                case "keys/remove" -> services.keys().remove(KeyRows.HOST, name, x.form("fingerprint"));
                default -> {
                    if (!action.startsWith("config/")) {
                        x.html(404, "<!DOCTYPE html><title>Not found</title><p>No such page.</p>");
                        return;
                    }
                    String file = action.substring("config/".length());
                    if (file.isEmpty()) {
                        file = x.form("name") == null ? "" : x.form("name").strip();
                    }
                    if (!Names.isValid(file)) {
                        throw new BadInputException("config file name '" + file + "' is not allowed: use lower-case letters,"
                                + " digits, '.', '_' and '-' (at most 63 characters)");
                    }
                    back = back + "?file=" + file;
                    services.hosts().writeConfig(name, file,
                            x.form("content") == null ? "" : x.form("content").replace("\r\n", "\n"), user.name());
                }
            }
        } catch (LabdropException e) {
            String file = action.startsWith("config/") && action.length() > 7 ? action.substring(7) : null;
            view(x, name, file != null && Names.isValid(file) ? file : null, e.getMessage(), Errors.status(e));
            return;
        }
        x.redirect(back);
    }
}
