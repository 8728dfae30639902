package labdrop.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.drop.Names;
import labdrop.drop.SafeRead;
import labdrop.error.LabdropException;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.pkg.PackageType;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.user.LoginThrottle;
import labdrop.user.User;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser pages: log in and out, the hosts dashboard, the request form and request pages. Every page carries the security
 * headers; every POST must carry the session's CSRF token and no foreign Origin (else 403);
 * pages other than the login page need a logged-in session (else a redirect to /login).
 */
public final class WebHandler extends Handler.Abstract {
    private static final String USER = "user";
    private static final String STAMP = "stamp";
    private static final Logger LOG = LoggerFactory.getLogger(WebHandler.class);
    private final WebServices services;
    private final Pages pages = new Pages();
    private final HostPages hostPages;
    private final Logs logs;

    private final AdminPages adminPages;
    private final Charts charts;
    private final LoginForm loginForm;
    private final LoginThrottle throttle;

    public WebHandler(WebServices services, PackageUploadHandler uploads) {
        this.services = services;
        this.logs = new Logs(services);
        this.hostPages = new HostPages(services, pages);
        this.adminPages = new AdminPages(services, pages, uploads);
        this.charts = new Charts(services, pages);
        this.loginForm = new LoginForm(services.lab().clock());
        this.throttle = new LoginThrottle(services.lab().clock());
    }

    @Override
    public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) throws Exception {
        String path = org.eclipse.jetty.server.Request.getPathInContext(request);
        String method = request.getMethod();
        WebSecurity.headers(request, response);
        if (path.equals("/static/labdrop.css") || path.equals("/static/labdrop.js")) {
            return asset(response, callback, path.substring("/static/".length()));
        }
        if (method.equals("POST") && path.equals(AdminPages.UPLOAD)) {
            Session existing = request.getSession(false);
            Optional<User> poster = existing == null ? Optional.empty() : user(existing);
            if (WebSecurity.foreignOrigin(request) || poster.isEmpty()) {
                // The refused upload stays unread: tell the browser not to reuse this connection.
                response.getHeaders().put("Connection", "close");
                return html(response, callback, poster.isEmpty() ? 401 : 403, "<!DOCTYPE html><title>Refused</title>"
                        + "<p>Log in first, from this site.</p>");
            }
            return adminPages.upload(request, response, callback, existing, poster.get());
        }
        if (method.equals("POST")) {
            Session existing = request.getSession(false);
            Fields form = org.eclipse.jetty.server.Request.getParameters(request);
            if (path.equals("/login")) {
                if (WebSecurity.foreignOrigin(request) || !loginForm.valid(request, form.getValue(WebSecurity.CSRF))) {
                    return html(response, callback, 403, "<!DOCTYPE html><title>Forbidden</title><p>This login form is"
                            + " stale or came from another site. <a href=\"/login\">Reload it</a> and try again.</p>");
                }
                return login(request, response, callback, form);
            }
            if (existing == null && !path.equals("/logout")) {
                return html(response, callback, 401, "<!DOCTYPE html><title>Log in</title><p>Log in first:"
                        + " <a href=\"/login\">/login</a>. Nothing was changed.</p>");
            }
            if (WebSecurity.foreignOrigin(request) || !WebSecurity.csrfMatches(existing, form.getValue(WebSecurity.CSRF))) {
                return html(response, callback, 403, "<!DOCTYPE html><title>Forbidden</title><p>This form is stale or came"
                        + " from another site (missing CSRF token or foreign Origin). Reload the page and try again.</p>");
            }
            Optional<User> poster = existing == null ? Optional.empty() : user(existing);
            if (poster.isEmpty()) {
                if (!path.equals("/logout")) {
                    return html(response, callback, 401, "<!DOCTYPE html><title>Log in</title><p>Log in first:"
                            + " <a href=\"/login\">/login</a>. Nothing was changed.</p>");
                }
                Response.sendRedirect(request, response, callback, "/login");
                return true;
            }
            if (path.startsWith("/hosts/")) {
                return hostPages.post(request, response, callback, existing, poster.get(), path.substring("/hosts/".length()), form);
            }
            if (path.startsWith("/admin/")) {
                return adminPages.post(request, response, callback, existing, poster.get(), path, form);
            }
            if (path.startsWith("/requests/") && (path.endsWith("/cancel") || path.endsWith("/move"))) {
                return changeRequest(request, response, callback, existing, poster.get(), path, form);
            }
            return switch (path) {
                case "/logout" -> logout(request, response, callback, existing);
                case "/requests" -> fileRequest(request, response, callback, existing, poster.get(), form);
                default -> html(response, callback, 404, "<!DOCTYPE html><title>Not found</title><p>Not found.</p>");
            };
        }
        // Anonymous visitors get no session: only the login form, with its stateless token.
        Session session = request.getSession(false);
        Optional<User> user = session == null ? Optional.empty() : user(session);
        if (path.equals("/login")) {
            if (user.isPresent()) {
                Response.sendRedirect(request, response, callback, "/");
                return true;
            }
            return html(response, callback, 200, pages.render("login.peb", loginPage(request, response, null, null)));
        }
        if (user.isEmpty()) {
            Response.sendRedirect(request, response, callback, "/login");
            return true;
        }
        if (path.equals("/")) {
            return html(response, callback, 200, pages.render("dashboard.peb", dashboard(session, user.get())));
        }
        if (path.equals("/live/hosts.json")) {
            return json(response, callback, liveHosts());
        }
        if (path.startsWith("/live/requests/") && path.endsWith(".json")) {
            return liveRequest(response, callback, path.substring("/live/requests/".length(), path.length() - 5));
        }
        if (path.startsWith("/charts/")) {
            Fields query = org.eclipse.jetty.server.Request.extractQueryParameters(request);
            return charts.serve(response, callback, path.substring("/charts/".length()), query.getValue("host"),
                    query.getValue("days"));
        }
        if (path.equals("/admin")) {
            return adminPages.view(response, callback, session, user.get(), null, 200);
        }
        if (path.equals("/requests/new")) {
            return html(response, callback, 200, pages.render("request-form.peb", requestForm(session, user.get(), null, null)));
        }
        if (path.startsWith("/hosts/")) {
            return hostPages.view(response, callback, session, user.get(), path.substring("/hosts/".length()),
                    org.eclipse.jetty.server.Request.extractQueryParameters(request).getValue("file"), null, 200);
        }
        if (path.startsWith("/requests/") && path.indexOf("/log/") > 0) {
            String rest = path.substring("/requests/".length());
            String offset = org.eclipse.jetty.server.Request.extractQueryParameters(request).getValue("offset");
            return log(response, callback, rest.substring(0, rest.indexOf("/log/")), rest.substring(rest.indexOf("/log/") + 5),
                    offset);
        }
        if (path.startsWith("/requests/")) {
            return requestPage(response, callback, session, user.get(), path.substring("/requests/".length()));
        }
        return html(response, callback, 404, "<!DOCTYPE html><title>Not found</title><p>Not found.</p>");
    }

    private Map<String, Object> loginPage(org.eclipse.jetty.server.Request request, Response response, String error,
                                          String name) {
        Map<String, Object> values = new HashMap<>();
        values.put("csrf", loginForm.issue(request, response));
        values.put("error", error);
        values.put("name", name);
        return values;
    }

    /**
     * Checks a login: refused at once (429, Retry-After) while the account or the address must
     * wait ({@link LoginThrottle}); a wrong password costs the same time whether or not the
     * account exists. The session is created only now.
     */
    private boolean login(org.eclipse.jetty.server.Request request, Response response, Callback callback, Fields form) {
        String name = form.getValue("user");
        String password = form.getValue("password");
        String address = org.eclipse.jetty.server.Request.getRemoteAddr(request);
        String account = name == null ? "" : name.length() > 64 ? name.substring(0, 64) : name;
        Duration wait = throttle.retryAfter(account, address);
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            LOG.warn("login for {} from {} refused: too many wrong passwords, retry in {} s", Names.quote(account), address,
                    seconds);
            services.metrics().loginRefused("throttled");
            response.getHeaders().put("Retry-After", Long.toString(seconds));
            return html(response, callback, 429, pages.render("login.peb", loginPage(request, response,
                    "Too many wrong passwords for this account or from this address: wait " + seconds
                            + " seconds, then try again.", name)));
        }
        Optional<User> user = name == null || password == null ? Optional.empty()
                : services.accounts().logIn(name, password.toCharArray());
        if (user.isEmpty()) {
            throttle.failed(account, address);
            LOG.info("login for {} from {} refused: wrong user name or password", Names.quote(account), address);
            services.metrics().loginRefused("password");
            return html(response, callback, 401, pages.render("login.peb", loginPage(request, response,
                    "Wrong user name or password.", name)));
        }
        throttle.succeeded(account, address);
        Session session = request.getSession(true);
        session.renewId(request, response);
        session.setAttribute(USER, user.get().name());
        session.setAttribute(STAMP, services.accounts().sessionStamp(user.get().name()));
        session.setAttribute(WebSecurity.CSRF, WebSecurity.newToken());
        Response.sendRedirect(request, response, callback, "/");
        return true;
    }

    private boolean fileRequest(org.eclipse.jetty.server.Request request, Response response, Callback callback,
                                Session session, User user, Fields form) {
        String host = form.getValue("host");
        try {
            String test = form.getValue("test") == null ? "" : form.getValue("test");
            String args = blankToNull(form.getValue("args"));
            Request filed = services.desk().file(new RequestSpec(host, user.name(),
                    List.of(TestSpec.parse(args == null ? test : test + ":" + args)),
                    Priority.parse(form.getValue("priority") == null ? "normal" : form.getValue("priority")),
                    "true".equals(form.getValue("reboot")), blankToNull(form.getValue("kernel")),
                    blankToNull(form.getValue("buildset")), null, null));
            Response.sendRedirect(request, response, callback, "/requests/" + filed.id());
            return true;
        } catch (LabdropException e) {
            return html(response, callback, ApiErrors.status(e),
                    pages.render("request-form.peb", requestForm(session, user, host, e.getMessage())));
        }
    }

    private Map<String, Object> requestForm(Session session, User user, String host, String error) {
        Map<String, Object> values = base(session, Optional.of(user));
        List<Map<String, Object>> hosts = new ArrayList<>();
        for (Host h : services.hosts().list()) {
            if (h.state() != HostState.RETIRED) {
                hosts.add(Map.of("name", h.name(), "state", h.state().label(), "ownerOnly", h.ownerOnly(),
                        "owner", h.owner() == null ? "" : h.owner()));
            }
        }
        values.put("hosts", hosts);
        values.put("tests", services.lab().catalog().names(PackageType.TEST));
        values.put("host", host);
        values.put("error", error);
        return values;
    }

    private boolean requestPage(Response response, Callback callback, Session session, User user, String id) {
        Request r;
        try {
            r = services.desk().find(id);
        } catch (LabdropException e) {
            return html(response, callback, 404, "<!DOCTYPE html><title>Not found</title><p>No such request.</p>");
        }
        Map<String, Object> values = base(session, Optional.of(user));
        Map<String, Object> view = new HashMap<>();
        view.put("id", r.id());
        view.put("host", r.host());
        view.put("state", r.state().label());
        view.put("reason", r.reason());
        view.put("requester", r.requester());
        view.put("priority", r.priority().label());
        view.put("filed", r.filedAt().toString());
        view.put("tests", r.tests().stream().map(t -> t.packageName() + (t.args().isEmpty() ? "" : " " + String.join(" ", t.args()))).toList());
        values.put("r", view);
        Host host = services.hosts().show(r.host());
        values.put("canCancel", !r.state().isFinal() && Access.canCancel(user, r, host));
        try {
            values.put("running", logs.running(r));
            List<String> sysinfo = logs.sysinfo(r);
            values.put("sysinfo", sysinfo);
            if (sysinfo.contains("sysinfo/distribution.txt")) {
                values.put("distribution", new String(logs.read(r, "sysinfo/distribution.txt", 0).bytes(), StandardCharsets.UTF_8)
                        .lines().findFirst().orElse(""));
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
        values.put("results", services.desk().results(r).stream().map(t -> {
            Map<String, Object> m = new HashMap<>();
            m.put("index", t.index());
            m.put("name", t.name());
            m.put("outcome", t.outcome());
            m.put("exitCode", t.exitCode() == null ? "" : t.exitCode());
            m.put("logs", t.logs());
            return m;
        }).toList());
        return html(response, callback, 200, pages.render("request.peb", values));
    }

    /** POST /requests/<id>/cancel and /requests/<id>/move (direction up|down|top), then back where the form was. */
    private boolean changeRequest(org.eclipse.jetty.server.Request request, Response response, Callback callback,
                                  Session session, User user, String path, Fields form) {
        String rest = path.substring("/requests/".length());
        String id = rest.substring(0, rest.indexOf('/'));
        try {
            Request r = services.desk().find(id);
            Host host = services.hosts().show(r.host());
            if (path.endsWith("/cancel")) {
                Access.requireCancel(user, r, host);
                services.desk().cancel(id, user.name());
                Response.sendRedirect(request, response, callback, "/requests/" + id);
            } else {
                Access.requireReorder(user, host);
                services.desk().move(id, form.getValue("direction") == null ? "" : form.getValue("direction"), user.name());
                Response.sendRedirect(request, response, callback, "/hosts/" + r.host());
            }
            return true;
        } catch (LabdropException e) {
            return html(response, callback, ApiErrors.status(e), pages.render("message.peb",
                    message(session, user, "Not done", e.getMessage(), "/requests/" + id)));
        }
    }

    static Map<String, Object> message(Session session, User user, String title, String text, String back) {
        Map<String, Object> values = base(session, Optional.of(user));
        values.put("title", title);
        values.put("message", text);
        values.put("back", back);
        return values;
    }

    /** The dashboard's live feed: every host as the API shows it, and the counts per state. */
    private Map<String, Object> liveHosts() {
        Map<String, Integer> queued = services.desk().queuedPerHost();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (HostState state : HostState.values()) {
            counts.put(state.label(), 0);
        }
        List<Map<String, Object>> hosts = new ArrayList<>();
        for (Host h : services.hosts().list()) {
            counts.merge(h.state().label(), 1, Integer::sum);
            hosts.add(ApiViews.host(h, queued.getOrDefault(h.name(), 0), services.doorbell().polls(h.name())));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("counts", counts);
        m.put("hosts", hosts);
        return m;
    }

    private boolean liveRequest(Response response, Callback callback, String id) throws IOException {
        Request r;
        try {
            r = services.desk().find(id);
        } catch (LabdropException e) {
            ApiErrors.send(response, callback, 404, Map.of("error", e.getMessage()));
            return true;
        }
        Map<String, Object> m = ApiViews.requestDetail(r, services.desk().events(r), services.desk().results(r), logs.sysinfo(r));
        m.put("runningLogs", logs.running(r));
        return json(response, callback, m);
    }

    private static boolean json(Response response, Callback callback, Object body) {
        ApiErrors.send(response, callback, 200, body);
        return true;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private boolean logout(org.eclipse.jetty.server.Request request, Response response, Callback callback, Session session) {
        session.invalidate();
        Response.sendRedirect(request, response, callback, "/login");
        return true;
    }

    /**
     * The session's user; a session whose user's password or role changed since it logged in
     * (its stamp differs) is ended.
     */
    private Optional<User> user(Session session) {
        Object name = session.getAttribute(USER);
        if (name == null) {
            return Optional.empty();
        }
        User user = services.accounts().find((String) name);
        if (!user.canLogIn() || !services.accounts().sessionStamp(user.name()).equals(session.getAttribute(STAMP))) {
            session.invalidate();
            return Optional.empty();
        }
        return Optional.of(user);
    }

    static Map<String, Object> base(Session session, Optional<User> user) {
        Map<String, Object> values = new HashMap<>();
        values.put("csrf", WebSecurity.csrfToken(session));
        user.ifPresent(u -> {
            values.put("user", u.name());
            values.put("role", u.role().label());
            values.put("isAdmin", Access.isAdmin(u));
        });
        return values;
    }

    private Map<String, Object> dashboard(Session session, User user) {
        Map<String, Object> values = base(session, Optional.of(user));
        Map<String, Integer> queued = services.desk().queuedPerHost();
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (HostState state : HostState.values()) {
            counts.put(state.label(), 0);
        }
        for (Host h : services.hosts().list()) {
            counts.merge(h.state().label(), 1, Integer::sum);
            Map<String, Object> row = new HashMap<>();
            row.put("name", h.name());
            row.put("state", h.state().label());
            row.put("owner", h.owner() == null ? "" : h.owner());
            row.put("ownerOnly", h.ownerOnly());
            row.put("queue", queued.getOrDefault(h.name(), 0));
            row.put("step", h.step() == null ? "" : h.step());
            row.put("lastSeen", h.lastSeen() == null ? "never" : h.lastSeen().toString());
            row.put("polls", services.doorbell().polls(h.name()).count());
            row.put("labels", h.labels());
            rows.add(row);
        }
        values.put("counts", counts.entrySet());
        values.put("hosts", rows);
        return values;
    }

    /**
     * {@code /requests/<id>/log/<name>}: one log the agent pushed, as plain text (the first
     * {@link Logs#WINDOW} bytes, with a note when there is more; the API serves the rest by offset).
     */
    private boolean log(Response response, Callback callback, String id, String name, String offset) throws IOException {
        SafeRead.Window window;
        try {
            window = logs.read(services.desk().find(id), name, offset == null || !offset.matches("[0-9]{1,15}") ? 0
                    : Long.parseLong(offset));
        } catch (LabdropException e) {
            return html(response, callback, 404, "<!DOCTYPE html><title>Not found</title><p>No such log.</p>");
        }
        response.setStatus(200);
        response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
        response.getHeaders().put("X-Labdrop-Next-Offset", Long.toString(window.next()));
        if (offset != null) {
            // The live view follows the log piece by piece: raw bytes, no note.
            response.write(true, ByteBuffer.wrap(window.bytes()), callback);
            return true;
        }
        String tail = window.size() > window.next() ? "\n[labdrop: log cut at " + window.next() + " of " + window.size()
                + " bytes; GET /api/v1/requests/" + id + "/logs/" + name + "?offset=" + window.next() + " reads on]\n" : "";
        byte[] bytes = window.bytes();
        byte[] body = new byte[bytes.length + tail.length()];
        System.arraycopy(bytes, 0, body, 0, bytes.length);
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, body, bytes.length, tail.length());
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    static boolean html(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put("Content-Type", "text/html; charset=utf-8");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    private static boolean asset(Response response, Callback callback, String name) throws IOException {
        try (InputStream in = WebHandler.class.getResourceAsStream("/templates/" + name)) {
            response.getHeaders().put("Content-Type", name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : "text/css; charset=utf-8");
            response.write(true, ByteBuffer.wrap(in.readAllBytes()), callback);
        }
        return true;
    }
}
