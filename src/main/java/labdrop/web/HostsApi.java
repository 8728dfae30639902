package labdrop.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.admin.HostDraft;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.error.NotFoundException;
import labdrop.host.Host;
import labdrop.host.HostTypes;
import labdrop.ops.LabStats;
import labdrop.request.Request;
import labdrop.store.KeyRows;
import labdrop.user.User;

/** {@code /api/v1/hosts}: the hosts, their state changes, queues, stats, config files and SSH keys. */
final class HostsApi {
    /** Most hosts one {@code GET /hosts} answers with (about 1,000 bytes each). */
    static final int MAX_PAGE = 1000;
    private final WebServices services;

    HostsApi(WebServices services) {
        this.services = services;
    }

    void routes(Router<ApiCall> router) {
        router.add("GET", "/hosts", this::list)
                .add("POST", "/hosts", this::add)
                .add("GET", "/hosts/{host}", this::show)
                .add("PATCH", "/hosts/{host}", this::change)
                .add("POST", "/hosts/{host}/maint", x -> setState(x, "maint"))
                .add("POST", "/hosts/{host}/activate", x -> setState(x, "activate"))
                .add("POST", "/hosts/{host}/retire", x -> setState(x, "retire"))
                .add("POST", "/hosts/{host}/health", this::checkHealth)
                .add("GET", "/hosts/{host}/queue", this::queue)
                .add("GET", "/hosts/{host}/stats", x -> ApiViews.stats(services.stats().of(known(x), days(x))))
                .add("GET", "/hosts/{host}/config", x -> services.hosts().configFiles(known(x)).stream()
                        .map(v -> ApiViews.config(v, false)).toList())
                .add("GET", "/hosts/{host}/config/{file}", this::configFile)
                .add("PUT", "/hosts/{host}/config/{file}", this::writeConfig)
                .add("GET", "/hosts/{host}/keys", x -> services.keys().list(KeyRows.HOST, known(x)).stream()
                        .map(ApiViews::key).toList())
                .add("POST", "/hosts/{host}/keys", this::addKey)
                .add("DELETE", "/hosts/{host}/keys", this::removeKey);
    }

    /** The days a stats call covers: {@code ?days=}, 30 by default. */
    static int days(Call x) {
        return x.number("days", 30, 1, LabStats.MAX_DAYS);
    }

    /** The path's host, which must exist (404 otherwise). */
    private String known(Call x) {
        return services.hosts().show(x.param("host")).name();
    }

    /**
     * The hosts by name, a page at a time: at most {@code limit} (1..1000, default 1000), those
     * after host {@code after}. A client reads on with {@code after} = the last name it was given
     * until a page holds fewer than it asked for; hosts added or retired meanwhile never make it
     * see a host twice or miss one that was there throughout.
     */
    private Object list(Call x) {
        int limit = x.number("limit", MAX_PAGE, 1, MAX_PAGE);
        String after = x.query("after");
        if (after != null && !after.isEmpty()) {
            Names.require("host name (after)", after);
        }
        Map<String, Integer> queued = services.desk().queuedPerHost();
        return services.hosts().listAfter(after, limit).stream()
                .map(h -> ApiViews.host(h, queued.getOrDefault(h.name(), 0), services.doorbell().polls(h.name()))).toList();
    }

    private Object add(Call x) throws IOException {
        User user = x.user();
        Access.requireAdmin(user, "add hosts");
        JsonBody body = x.json();
        Host added = services.hosts().add(new HostDraft(body.text("name", true),
                Optional.ofNullable(body.text("type", false)).orElse(HostTypes.DEFAULT),
                String.join(",", body.strings("labels")), body.text("owner", false), body.flag("ownerOnly"),
                body.flag("active"), body.text("hardResetCommand", false)), user.name());
        x.created();
        return view(added.name());
    }

    private Object change(Call x) throws IOException {
        String name = known(x);
        Access.requireAdmin(x.user(), "change hosts");
        JsonBody body = x.json();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "owner" -> services.hosts().set(name, "owner", value.isNull() ? null : value.asText());
                case "ownerOnly" -> services.hosts().set(name, "owner-only", value.asBoolean());
                case "labels" -> services.hosts().set(name, "labels", String.join(",", body.strings("labels")));
                case "type" -> services.hosts().set(name, "type", value.asText());
                case "hardResetCommand" -> services.hosts().set(name, "hard-reset-command",
                        value.isNull() ? null : value.asText());
                default -> throw new BadInputException("host field '" + field.getKey() + "' cannot be set; use owner,"
                        + " ownerOnly, labels, type or hardResetCommand");
            }
        }
        return view(name);
    }

    private Object setState(Call x, String action) {
        String name = known(x);
        Access.requireAdmin(x.user(), "put hosts in maintenance, activate or retire them");
        switch (action) {
            case "maint" -> services.hosts().maint(name);
            case "activate" -> services.hosts().activate(name);
            default -> services.hosts().retire(name, x.user().name());
        }
        return view(name);
    }

    /** Files the host's health check now (or answers the one already queued or running). */
    private Object checkHealth(Call x) {
        Host host = services.hosts().show(x.param("host"));
        Access.requireHealthCheck(x.user(), host);
        Request check = services.hosts().checkHealth(host.name(), x.user().name());
        x.created();
        return ApiViews.request(check);
    }

    /** The host's queue with the request it runs (if any) first. */
    private Object queue(Call x) {
        String name = known(x);
        List<Request> queue = new ArrayList<>(services.desk().queue(name));
        services.desk().list(name, null, 50).stream().filter(r -> r.state().isActive()).forEach(r -> queue.add(0, r));
        return queue.stream().map(ApiViews::request).toList();
    }

    private Object configFile(Call x) {
        String name = known(x);
        String file = x.param("file");
        var history = services.hosts().configHistory(name, file);
        if (history.isEmpty()) {
            throw new NotFoundException("host '" + name + "' has no config/" + file + "; GET /api/v1/hosts/" + name
                    + "/config lists its files");
        }
        return ApiViews.configFile(history);
    }

    private Object writeConfig(Call x) throws IOException {
        String name = known(x);
        Access.requireAdmin(x.user(), "edit config files");
        return ApiViews.config(services.hosts().writeConfig(name, x.param("file"), x.body(), x.user().name()), true);
    }

    private Object addKey(Call x) throws IOException {
        String name = known(x);
        Access.requireAdmin(x.user(), "register or remove SSH keys");
        var bare = services.keys().add(KeyRows.HOST, name, x.json().text("key", true), "the request body", x.user().name());
        x.created();
        return services.keys().list(KeyRows.HOST, name).stream()
                .filter(k -> k.fingerprint().equals(bare.fingerprint())).map(ApiViews::key).findFirst().orElseThrow();
    }

    private Object removeKey(Call x) {
        String name = known(x);
        Access.requireAdmin(x.user(), "register or remove SSH keys");
        String fingerprint = x.query("fingerprint");
        if (fingerprint == null) {
            throw new BadInputException("DELETE /api/v1/hosts/" + name + "/keys needs ?fingerprint=SHA256:...");
        }
        services.keys().remove(KeyRows.HOST, name, fingerprint);
        return Map.of("removed", fingerprint);
    }

    /**
     * One host; an admin also sees its hard reset command (it may hold a BMC password, so testers
     * do not).
     */
    private Object show(Call x) {
        Map<String, Object> view = view(known(x));
        if (Access.isAdmin(x.user())) {
            view.put("hardResetCommand", services.hosts().show(x.param("host")).hardResetCommand());
        }
        return view;
    }

    private Map<String, Object> view(String name) {
        Host h = services.hosts().show(name);
        return ApiViews.host(h, services.desk().queuedPerHost().getOrDefault(name, 0), services.doorbell().polls(name));
    }
}
