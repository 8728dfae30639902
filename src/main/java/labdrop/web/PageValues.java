package labdrop.web;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import labdrop.user.User;
import org.eclipse.jetty.server.Session;

/** What every page's template gets: the session's CSRF token and who is logged in. */
final class PageValues {
    private PageValues() {
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

    /** The values of message.peb: a title, a text and where "back" leads. */
    static Map<String, Object> message(Session session, User user, String title, String text, String back) {
        Map<String, Object> values = base(session, Optional.of(user));
        values.put("title", title);
        values.put("message", text);
        values.put("back", back);
        return values;
    }
}
