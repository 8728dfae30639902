package labdrop.web;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import labdrop.cluster.SharedKeys;
import labdrop.drop.Names;
import labdrop.user.LoginThrottle;
import labdrop.user.User;
import org.eclipse.jetty.server.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging in and out, and who a session belongs to. Anonymous visitors get no session: only the
 * login form, with its stateless token; the session is created when a login succeeds.
 */
final class SessionPages {
    private static final Logger LOG = LoggerFactory.getLogger(SessionPages.class);
    private static final String USER = "user";
    private static final String STAMP = "stamp";

    private final WebServices services;
    private final Pages pages;
    private final LoginForm loginForm;
    private final LoginThrottle throttle;

    SessionPages(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
        this.loginForm = services.membership().enabled()
                ? new LoginForm(services.lab().clock(), SharedKeys.loginForm(services.lab().store()))
                : new LoginForm(services.lab().clock());
        this.throttle = new LoginThrottle(services.lab().clock());
    }

    /**
     * The session's user; a session whose user's password or role changed since it logged in
     * (its stamp differs) is ended.
     */
    Optional<User> user(Session session) {
        if (session == null) {
            return Optional.empty();
        }
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

    /** GET /login: the form (a logged-in visitor goes to the dashboard). */
    void form(Exchange x, boolean loggedIn) {
        if (loggedIn) {
            x.redirect("/");
            return;
        }
        x.html(200, pages.render("login.peb", values(x, null, null)));
    }

    /** True when the POSTed login form is this site's and still fresh. */
    boolean validForm(Exchange x) {
        return loginForm.valid(x.request(), x.form(WebSecurity.CSRF));
    }

    /**
     * POST /login: refused at once (429, Retry-After) while the account or the address must wait
     * ({@link LoginThrottle}); a wrong password costs the same time whether or not the account
     * exists. The session is created only now.
     */
    void login(Exchange x) {
        String name = x.form("user");
        String password = x.form("password");
        String address = x.remoteAddress();
        String account = name == null ? "" : name.length() > 64 ? name.substring(0, 64) : name;
        Duration wait = throttle.retryAfter(account, address);
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            LOG.warn("login for {} from {} refused: too many wrong passwords, retry in {} s", Names.quote(account), address,
                    seconds);
            services.metrics().loginRefused("throttled");
            x.header("Retry-After", Long.toString(seconds));
            x.html(429, pages.render("login.peb", values(x, "Too many wrong passwords for this account or from this"
                    + " address: wait " + seconds + " seconds, then try again.", name)));
            return;
        }
        Optional<User> user = name == null || password == null ? Optional.empty()
                : services.accounts().logIn(name, password.toCharArray());
        if (user.isEmpty()) {
            throttle.failed(account, address);
            LOG.info("login for {} from {} refused: wrong user name or password", Names.quote(account), address);
            services.metrics().loginRefused("password");
            x.html(401, pages.render("login.peb", values(x, "Wrong user name or password.", name)));
            return;
        }
        throttle.succeeded(account, address);
        Session session = x.session(true).orElseThrow();
        session.renewId(x.request(), x.response());
        session.setAttribute(USER, user.get().name());
        session.setAttribute(STAMP, services.accounts().sessionStamp(user.get().name()));
        session.setAttribute(WebSecurity.CSRF, WebSecurity.newToken());
        x.redirect("/");
    }

    /** POST /logout. */
    void logout(Exchange x) {
        x.session().invalidate();
        x.redirect("/login");
    }

    private Map<String, Object> values(Exchange x, String error, String name) {
        Map<String, Object> values = new HashMap<>();
        values.put("csrf", loginForm.issue(x.request(), x.response()));
        values.put("error", error);
        values.put("name", name);
        return values;
    }
}
