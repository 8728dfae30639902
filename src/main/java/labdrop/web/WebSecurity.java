package labdrop.web;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Session;

/** The rules every page and form follows: security headers, CSRF tokens in the session, Origin checks on writes. */
final class WebSecurity {
    static final String CSRF = "csrf";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebSecurity() {
    }

    static void headers(Request request, Response response) {
        framing(request, response);
        response.getHeaders().put("Cache-Control", "no-store");
    }

    /**
     * The headers every answer carries, pages and package repositories alike (which keep their own
     * caching); over HTTPS (served here or by a trusted proxy) also HSTS.
     */
    static void framing(Request request, Response response) {
        if (request.isSecure()) {
            response.getHeaders().put("Strict-Transport-Security", "max-age=31536000");
        }
        response.getHeaders().put("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none';"
                        + " form-action 'self'; base-uri 'none'; object-src 'none'");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put("Referrer-Policy", "same-origin");
    }

    /** The session's CSRF token, created when missing. */
    static String csrfToken(Session session) {
        Object token = session.getAttribute(CSRF);
        if (token == null) {
            token = newToken();
            session.setAttribute(CSRF, token);
        }
        return (String) token;
    }

    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** True when a write carries the session's CSRF token (compared in constant time). */
    static boolean csrfMatches(Session session, String presented) {
        Object expected = session == null ? null : session.getAttribute(CSRF);
        return expected != null && presented != null && MessageDigest.isEqual(
                ((String) expected).getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** A write from another site: an Origin header that is not this server's own. */
    static boolean foreignOrigin(Request request) {
        String origin = request.getHeaders().get("Origin");
        if (origin == null) {
            return false;
        }
        var uri = request.getHttpURI();
        String self = uri.getScheme() + "://" + uri.getAuthority();
        return !origin.equals(self);
    }
}
