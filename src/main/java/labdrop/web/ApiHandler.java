package labdrop.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import labdrop.admin.HostDraft;
import labdrop.error.BadInputException;
import labdrop.error.ConflictException;
import labdrop.error.NotFoundException;
import labdrop.host.Host;
import labdrop.host.HostTypes;
import labdrop.ops.LabStats;
import labdrop.pkg.PackageType;
import labdrop.pkg.PayloadTooLargeException;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.KeyRows;
import labdrop.user.Role;
import labdrop.user.User;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The JSON API under {@code /api/v1} for everything the pages do (docs/api.md, and the OpenAPI
 * file served at {@code /api/v1/openapi.yaml}). Every call but the OpenAPI file needs
 * {@code Authorization: Bearer <user token>}; writes follow the same role and ownership rules as
 * the pages ({@link Access}). Errors are {@code {"error": "..."}} with the status from {@link ApiErrors}.
 */
public final class ApiHandler extends Handler.Abstract {
    /** Largest JSON or text body accepted (a config file is capped lower by ingest.max-config-bytes). */
    static final int MAX_BODY = 1 << 20;
    private final WebServices services;
    private final Logs logs;
    private final ApiPaths paths = ApiPaths.load();

    public ApiHandler(WebServices services) {
        this.services = services;
        this.logs = new Logs(services);
    }

    @Override
    public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
        String path = org.eclipse.jetty.server.Request.getPathInContext(request);
        if (path.equals("/openapi.yaml")) {
            return openApi(response, callback);
        }
        Optional<Set<String>> methods = paths.methods(path);
        if (methods.isEmpty() || !methods.get().contains(request.getMethod())) {
            settleBody(request, response);
            if (methods.isEmpty()) {
                ApiErrors.send(response, callback, 404, Map.of("error", "no API call " + request.getMethod() + " /api/v1"
                        + path + "; see /api/v1/openapi.yaml"));
            } else {
                response.getHeaders().put("Allow", ApiPaths.allow(methods.get()));
                ApiErrors.send(response, callback, 405, Map.of("error", "/api/v1" + path + " does not answer "
                        + request.getMethod() + "; it answers " + ApiPaths.allow(methods.get())
                        + " (see /api/v1/openapi.yaml)"));
            }
            return true;
        }
        String header = request.getHeaders().get("Authorization");
        Optional<User> user = header != null && header.startsWith("Bearer ")
                ? services.accounts().byToken(header.substring(7).strip()) : Optional.empty();
        if (user.isEmpty()) {
            settleBody(request, response);
            response.getHeaders().put("WWW-Authenticate", "Bearer realm=\"labdrop\"");
            ApiErrors.send(response, callback, 401, Map.of("error",
                    "log in: send Authorization: Bearer <token> (labdrop user token NAME creates one)"));
            return true;
        }
        try {
            List<String> parts = List.of(path.replaceFirst("^/", "").split("/", -1));
            Object answer;
            try {
                answer = route(request, response, request.getMethod(), parts, user.get());
            } finally {
                settleBody(request, response);
            }
            if (answer == null) {
                response.getHeaders().put("Allow", "GET, POST, PUT, PATCH, DELETE");
                ApiErrors.send(response, callback, 404, Map.of("error", "no API call " + request.getMethod() + " /api/v1" + path
                        + "; see /api/v1/openapi.yaml"));
            } else if (answer instanceof Text text) {
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
                response.getHeaders().put("Cache-Control", "no-store");
                response.write(true, ByteBuffer.wrap(text.bytes()), callback);
            } else {
                ApiErrors.send(response, callback, response.getStatus() == 201 ? 201 : 200, answer);
            }
        } catch (Exception e) {
            ApiErrors.fail(response, callback, e);
        }
        return true;
    }

    /** A plain-text answer (a log). */
    record Text(byte[] bytes) {
    }

    private Object route(org.eclipse.jetty.server.Request request, Response response, String method, List<String> p,
                         User user) throws IOException {
        Fields query = org.eclipse.jetty.server.Request.extractQueryParameters(request);
        String head = p.get(0);
        int n = p.size();
        switch (head) {
            case "me" -> {
                return n == 1 && method.equals("GET") ? ApiViews.user(user) : null;
            }
            case "hosts" -> {
                return hosts(request, response, method, p, user, query);
            }
            case "requests" -> {
                return requests(request, response, method, p, user, query);
            }
            case "users" -> {
                return users(request, response, method, p, user);
            }
            case "packages" -> {
                if (n == 1 && method.equals("GET")) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (PackageType type : PackageType.values()) {
                        m.put(type.label(), services.lab().catalog().names(type));
                    }
                    return m;
                }
                return null;
            }
            case "stats" -> {
                return n == 1 && method.equals("GET") ? ApiViews.stats(services.stats().of(null, days(query))) : null;
            }
            default -> {
                return null;
            }
        }
    }

    private Object hosts(org.eclipse.jetty.server.Request request, Response response, String method, List<String> p,
                         User user, Fields query) throws IOException {
        int n = p.size();
        if (n == 1 && method.equals("GET")) {
            Map<String, Integer> queued = services.desk().queuedPerHost();
            return services.hosts().list().stream()
                    .map(h -> ApiViews.host(h, queued.getOrDefault(h.name(), 0), services.doorbell().polls(h.name()))).toList();
        }
        if (n == 1 && method.equals("POST")) {
            Access.requireAdmin(user, "add hosts");
            JsonNode body = json(request);
            Host added = services.hosts().add(new HostDraft(text(body, "name", true), Optional.ofNullable(text(body, "type", false))
                    .orElse(HostTypes.DEFAULT), String.join(",", strings(body, "labels")), text(body, "owner", false),
                    body.path("ownerOnly").asBoolean(false), body.path("active").asBoolean(false),
                    text(body, "hardResetCommand", false)), user.name());
            response.setStatus(201);
            return hostView(added.name());
        }
        String name = p.get(1);
        Host host = services.hosts().show(name);
        if (n == 2 && method.equals("GET")) {
            return hostView(name);
        }
        if (n == 2 && method.equals("PATCH")) {
            Access.requireAdmin(user, "change hosts");
            JsonNode body = json(request);
            for (var it = body.fields(); it.hasNext(); ) {
                var field = it.next();
                switch (field.getKey()) {
                    case "owner" -> services.hosts().set(name, "owner", field.getValue().isNull() ? null : field.getValue().asText());
                    case "ownerOnly" -> services.hosts().set(name, "owner-only", field.getValue().asBoolean());
                    case "labels" -> services.hosts().set(name, "labels", String.join(",", strings(body, "labels")));
                    case "type" -> services.hosts().set(name, "type", field.getValue().asText());
                    case "hardResetCommand" -> services.hosts().set(name, "hard-reset-command",
                            field.getValue().isNull() ? null : field.getValue().asText());
                    default -> throw new BadInputException("host field '" + field.getKey() + "' cannot be set; use owner,"
                            + " ownerOnly, labels, type or hardResetCommand");
                }
            }
            return hostView(name);
        }
        if (n == 3 && method.equals("POST") && List.of("maint", "activate", "retire").contains(p.get(2))) {
            Access.requireAdmin(user, "put hosts in maintenance, activate or retire them");
            switch (p.get(2)) {
                case "maint" -> services.hosts().maint(name);
                case "activate" -> services.hosts().activate(name);
                default -> services.hosts().retire(name, user.name());
            }
            return hostView(name);
        }
        if (n == 3 && method.equals("GET") && p.get(2).equals("queue")) {
            List<Request> queue = new ArrayList<>(services.desk().queue(name));
            services.desk().list(name, null, 50).stream().filter(r -> r.state().isActive()).forEach(r -> queue.add(0, r));
            return queue.stream().map(ApiViews::request).toList();
        }
        if (n == 3 && method.equals("GET") && p.get(2).equals("stats")) {
            return ApiViews.stats(services.stats().of(name, days(query)));
        }
        if (n == 3 && method.equals("GET") && p.get(2).equals("config")) {
            return services.hosts().configFiles(name).stream().map(v -> ApiViews.config(v, false)).toList();
        }
        if (n == 4 && p.get(2).equals("config")) {
            String file = p.get(3);
            if (method.equals("GET")) {
                var history = services.hosts().configHistory(name, file);
                if (history.isEmpty()) {
                    throw new NotFoundException("host '" + name + "' has no config/" + file + "; GET /api/v1/hosts/" + name
                            + "/config lists its files");
                }
                Map<String, Object> m = ApiViews.config(history.get(history.size() - 1), true);
                List<Map<String, Object>> versions = new ArrayList<>();
                history.forEach(v -> versions.add(0, ApiViews.config(v, true)));
                m.put("history", versions);
                return m;
            }
            if (method.equals("PUT")) {
                Access.requireAdmin(user, "edit config files");
                return ApiViews.config(services.hosts().writeConfig(name, file, body(request), user.name()), true);
            }
        }
        if (n >= 3 && p.get(2).equals("keys")) {
            if (n == 3 && method.equals("GET")) {
                return services.keys().list(KeyRows.HOST, name).stream().map(ApiViews::key).toList();
            }
            Access.requireAdmin(user, "register or remove SSH keys");
            if (n == 3 && method.equals("POST")) {
                var bare = services.keys().add(KeyRows.HOST, name, text(json(request), "key", true), "the request body",
                        user.name());
                response.setStatus(201);
                return services.keys().list(KeyRows.HOST, name).stream()
                        .filter(k -> k.fingerprint().equals(bare.fingerprint())).map(ApiViews::key).findFirst().orElseThrow();
            }
            if (n == 3 && method.equals("DELETE")) {
                String fingerprint = query.getValue("fingerprint");
                if (fingerprint == null) {
                    throw new BadInputException("DELETE /api/v1/hosts/" + name + "/keys needs ?fingerprint=SHA256:...");
                }
                services.keys().remove(KeyRows.HOST, name, fingerprint);
                return Map.of("removed", fingerprint);
            }
        }
        return null;
    }

    private Map<String, Object> hostView(String name) {
        Host h = services.hosts().show(name);
        return ApiViews.host(h, services.desk().queuedPerHost().getOrDefault(name, 0), services.doorbell().polls(name));
    }

    private Object requests(org.eclipse.jetty.server.Request request, Response response, String method, List<String> p,
                            User user, Fields query) throws IOException {
        int n = p.size();
        if (n == 1 && method.equals("GET")) {
            String state = query.getValue("state");
            int limit = query.getValue("limit") == null ? 100 : number("limit", query.getValue("limit"), 1, 1000);
            return services.desk().list(query.getValue("host"), state == null ? null : RequestState.parse(state), limit)
                    .stream().map(ApiViews::request).toList();
        }
        if (n == 1 && method.equals("POST")) {
            JsonNode body = json(request);
            List<TestSpec> tests = new ArrayList<>();
            for (JsonNode t : body.path("tests")) {
                tests.add(t.isTextual() ? TestSpec.parse(t.asText()) : new TestSpec(text(t, "package", true), null,
                        strings(t, "args"), t.hasNonNull("timeoutSeconds") ? t.get("timeoutSeconds").asInt() : null));
            }
            Request filed = services.desk().file(new RequestSpec(text(body, "host", true), user.name(), tests,
                    Priority.parse(Optional.ofNullable(text(body, "priority", false)).orElse("normal")),
                    body.path("selfReboot").asBoolean(false), text(body, "kernelInstall", false), text(body, "buildSet", false),
                    body.hasNonNull("timeoutSeconds") ? body.get("timeoutSeconds").asInt() : null,
                    text(body, "repositoryUrl", false)));
            response.setStatus(201);
            return detail(filed);
        }
        Request r = services.desk().find(p.get(1));
        if (n == 2 && method.equals("GET")) {
            return detail(r);
        }
        if (n == 3 && method.equals("POST") && p.get(2).equals("cancel")) {
            Access.requireCancel(user, r, services.hosts().show(r.host()));
            return detail(services.desk().cancel(r.id(), user.name()));
        }
        if (n == 3 && method.equals("POST") && p.get(2).equals("move")) {
            Access.requireReorder(user, services.hosts().show(r.host()));
            return detail(services.desk().move(r.id(), text(json(request), "direction", true), user.name()));
        }
        if (n >= 4 && method.equals("GET") && p.get(2).equals("logs")) {
            String name = String.join("/", p.subList(3, n));
            long offset = query.getValue("offset") == null ? 0 : number("offset", query.getValue("offset"), 0, Integer.MAX_VALUE);
            return new Text(logs.read(r, name, offset).bytes());
        }
        return null;
    }

    private Map<String, Object> detail(Request r) throws IOException {
        return ApiViews.requestDetail(r, services.desk().events(r), services.desk().results(r), logs.sysinfo(r));
    }

    private Object users(org.eclipse.jetty.server.Request request, Response response, String method, List<String> p,
                         User user) throws IOException {
        int n = p.size();
        if (n == 1 && method.equals("GET")) {
            return services.accounts().list().stream().map(ApiViews::user).toList();
        }
        Access.requireAdmin(user, "manage users");
        if (n == 1 && method.equals("POST")) {
            JsonNode body = json(request);
            String name = text(body, "name", true);
            if (services.accounts().list().stream().anyMatch(u -> u.name().equals(name) && u.canLogIn())) {
                throw new ConflictException("user '" + name + "' already exists; PATCH /api/v1/users/" + name
                        + " changes its role or password");
            }
            response.setStatus(201);
            return ApiViews.user(services.accounts().setAccount(name, Role.parse(Optional.ofNullable(text(body, "role", false))
                    .orElse("tester")), password(body)));
        }
        String name = p.get(1);
        if (n == 2 && method.equals("PATCH")) {
            JsonNode body = json(request);
            User found = services.accounts().find(name);
            Role role = body.hasNonNull("role") ? Role.parse(body.get("role").asText()) : found.role();
            if (body.hasNonNull("password")) {
                return ApiViews.user(services.accounts().setAccount(name, role, password(body)));
            }
            if (!found.canLogIn()) {
                throw new BadInputException("user '" + name + "' has no password; send \"password\" with the role");
            }
            throw new BadInputException("changing a role needs the new \"password\" too (passwords are never read back)");
        }
        if (n == 2 && method.equals("DELETE")) {
            if (name.equals(user.name())) {
                throw new ConflictException("you cannot remove yourself; ask another admin");
            }
            services.accounts().disable(name);
            return ApiViews.user(services.accounts().find(name));
        }
        return null;
    }

    private static char[] password(JsonNode body) {
        String password = text(body, "password", true);
        if (password.length() < 12) {
            throw new BadInputException("password is " + password.length() + " characters; use at least 12");
        }
        return password.toCharArray();
    }

    private boolean openApi(Response response, Callback callback) {
        try (InputStream in = ApiHandler.class.getResourceAsStream("/openapi.yaml")) {
            response.getHeaders().put("Content-Type", "application/yaml; charset=utf-8");
            response.write(true, ByteBuffer.wrap(in.readAllBytes()), callback);
        } catch (IOException e) {
            callback.failed(e);
        }
        return true;
    }

    private static int days(Fields query) {
        return query.getValue("days") == null ? 30 : number("days", query.getValue("days"), 1, LabStats.MAX_DAYS);
    }

    private static int number(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new BadInputException("query parameter " + name + "=" + value + " is not a whole number in " + min + ".." + max);
    }

    /**
     * Reads what a call left unread of its body (a refused call reads none of it) before the answer goes out.
     * Jetty closes a connection whose request body was not consumed, and once the answer is committed it can no
     * longer say so: a client reusing the connection would then meet a silent close. A body over the cap is
     * not read ({@link #body}); the answer carries {@code Connection: close} instead.
     */
    private static void settleBody(org.eclipse.jetty.server.Request request, Response response) {
        if (request.getLength() == 0) {
            return;
        }
        try {
            body(request);
        } catch (IOException | PayloadTooLargeException e) {
            response.getHeaders().put("Connection", "close");
        }
    }

    static String body(org.eclipse.jetty.server.Request request) throws IOException {
        if (request.getLength() > MAX_BODY) {
            throw new PayloadTooLargeException("request body of " + request.getLength() + " bytes is over the API's cap of "
                    + MAX_BODY + " bytes");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new PayloadTooLargeException("request body is over the API's cap of " + MAX_BODY + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static JsonNode json(org.eclipse.jetty.server.Request request) throws IOException {
        String text = body(request);
        try {
            JsonNode node = ApiErrors.JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new BadInputException("the request body is not a JSON object; send {\"field\": value, ...}");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadInputException("the request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        }
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            if (required) {
                throw new BadInputException("field \"" + field + "\" is missing; see /api/v1/openapi.yaml");
            }
            return null;
        }
        if (!value.isValueNode()) {
            throw new BadInputException("field \"" + field + "\" must be a string");
        }
        return value.asText().strip();
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isArray()) {
            throw new BadInputException("field \"" + field + "\" must be a list of strings");
        }
        value.forEach(v -> out.add(v.asText()));
        return out;
    }
}
