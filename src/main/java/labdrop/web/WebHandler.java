package labdrop.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import labdrop.user.User;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.util.Callback;

/**
 * The browser pages: log in and out, the hosts dashboard, the request form and request pages,
 * host and admin pages, charts. Every page carries the security headers; every POST must carry
 * the session's CSRF token and no foreign Origin (else 403); pages other than the login page
 * need a logged-in session (else a redirect to /login). Past those gates one {@link Router}
 * leads each method and path to the page that answers it.
 */
public final class WebHandler extends Handler.Abstract {
    private static final String NOT_FOUND = "<!DOCTYPE html><title>Not found</title><p>No such page.</p>";

    /** One page's handler; it answers through the exchange. */
    @FunctionalInterface
    interface PageCall {
        void serve(Exchange call) throws Exception;
    }

    private final SessionPages sessions;
    private final AdminPages adminPages;
    private final Router<PageCall> router = new Router<>();

    public WebHandler(WebServices services, PackageUploadHandler uploads) {
        Pages pages = new Pages();
        this.sessions = new SessionPages(services, pages);
        this.adminPages = new AdminPages(services, pages, uploads);
        DashboardPages dashboard = new DashboardPages(services, pages);
        RequestPages requests = new RequestPages(services, pages);
        HostPages hosts = new HostPages(services, pages);
        Charts charts = new Charts(services, pages);
        RequestListPage requestList = new RequestListPage(services, pages);
        JobPages jobs = new JobPages(services, pages);
        CasePages cases = new CasePages(services, pages);
        NotificationPages notifications = new NotificationPages(services, pages);
        router.add("GET", "/", dashboard::dashboard)
                .add("GET", "/live/hosts.json", dashboard::liveHosts)
                .add("GET", "/live/requests/{file}", requests::live)
                .add("GET", "/charts/{chart}", charts::serve)
                .add("GET", "/admin", adminPages::view)
                .add("POST", "/admin/{action...}", adminPages::post)
                .add("GET", "/hosts/{host}", hosts::view)
                .add("POST", "/hosts/{host}/{action...}", hosts::post)
                .add("GET", "/requests", requestList::view)
                .add("GET", "/requests/new", requests::form)
                .add("POST", "/requests", requests::file)
                .add("GET", "/requests/{id}", requests::page)
                .add("GET", "/requests/{id}/log/{name...}", requests::log)
                .add("GET", "/requests/{id}/cases", cases::view)
                .add("GET", "/regressions", cases::regressions)
                .add("POST", "/known-issues", cases::markKnown)
                .add("POST", "/known-issues/{id}/remove", cases::removeKnown)
                .add("GET", "/requests/{id}/junit.xml", x -> cases.junit(x, false))
                .add("POST", "/requests/{id}/cancel", requests::cancel)
                .add("POST", "/requests/{id}/move", requests::move)
                .add("GET", "/jobs/{id}", jobs::view)
                .add("GET", "/jobs/{id}/junit.xml", x -> cases.junit(x, true))
                .add("POST", "/jobs/{id}/cancel", jobs::cancel)
                .add("GET", "/notifications", notifications::view)
                .add("POST", "/notifications", notifications::save)
                .add("POST", "/logout", sessions::logout);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Exchange x = new Exchange(request, response, callback);
        String path = x.path();
        WebSecurity.headers(request, response);
        if (path.equals("/static/labdrop.css") || path.equals("/static/labdrop.js")) {
            return asset(x, path.substring("/static/".length()));
        }
        Session existing = request.getSession(false);
        if (x.method().equals("POST") && path.equals(AdminPages.UPLOAD)) {
            Optional<User> poster = sessions.user(existing);
            if (WebSecurity.foreignOrigin(request) || poster.isEmpty()) {
                // The refused upload stays unread: tell the browser not to reuse this connection.
                x.header("Connection", "close");
                x.html(poster.isEmpty() ? 401 : 403, "<!DOCTYPE html><title>Refused</title><p>Log in first, from this site.</p>");
                return true;
            }
            adminPages.upload(x.as(poster.get(), existing));
            return true;
        }
        if (x.method().equals("POST")) {
            x.readForm();
            return post(x, existing);
        }
        // Anonymous visitors get no session: only the login form, with its stateless token.
        Optional<User> user = sessions.user(existing);
        if (path.equals("/login")) {
            sessions.form(x, user.isPresent());
            return true;
        }
        if (user.isEmpty()) {
            x.redirect("/login");
            return true;
        }
        return dispatch(x.as(user.get(), existing));
    }

    /** A POST passes the gates (fresh login form; a session, this site, its CSRF token; a user), then its page. */
    private boolean post(Exchange x, Session existing) throws Exception {
        Request request = x.request();
        String path = x.path();
        if (path.equals("/login")) {
            if (WebSecurity.foreignOrigin(request) || !sessions.validForm(x)) {
                x.html(403, "<!DOCTYPE html><title>Forbidden</title><p>This login form is stale or came from another"
                        + " site. <a href=\"/login\">Reload it</a> and try again.</p>");
                return true;
            }
            sessions.login(x);
            return true;
        }
        if (existing == null && !path.equals("/logout")) {
            x.html(401, "<!DOCTYPE html><title>Log in</title><p>Log in first: <a href=\"/login\">/login</a>."
                    + " Nothing was changed.</p>");
            return true;
        }
        if (WebSecurity.foreignOrigin(request) || !WebSecurity.csrfMatches(existing, x.form(WebSecurity.CSRF))) {
            x.html(403, "<!DOCTYPE html><title>Forbidden</title><p>This form is stale or came from another site"
                    + " (missing CSRF token or foreign Origin). Reload the page and try again.</p>");
            return true;
        }
        Optional<User> poster = sessions.user(existing);
        if (poster.isEmpty()) {
            if (!path.equals("/logout")) {
                x.html(401, "<!DOCTYPE html><title>Log in</title><p>Log in first: <a href=\"/login\">/login</a>."
                        + " Nothing was changed.</p>");
                return true;
            }
            x.redirect("/login");
            return true;
        }
        return dispatch(x.as(poster.get(), existing));
    }

    private boolean dispatch(Exchange x) throws Exception {
        Optional<Router.Match<PageCall>> match = router.match(x.method(), x.path());
        if (match.isEmpty()) {
            x.html(404, NOT_FOUND);
            return true;
        }
        match.get().handler().serve(x.with(match.get().params()));
        return true;
    }

    private static boolean asset(Exchange x, String name) throws IOException {
        try (InputStream in = WebHandler.class.getResourceAsStream("/templates/" + name)) {
            x.bytes(200, name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
                    in.readAllBytes());
        }
        return true;
    }
}
