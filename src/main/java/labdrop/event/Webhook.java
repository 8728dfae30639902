package labdrop.event;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import labdrop.error.BadInputException;

/**
 * An admin's webhook: events are POSTed to {@code url} as JSON, signed with HMAC-SHA256 over the
 * body with {@code secret}. {@code failures} counts deliveries failed in a row; while
 * {@code retryAt} is ahead, the receiver is left alone.
 */
public record Webhook(long id, String url, String secret, Set<EventKind> events, String createdBy, Instant createdAt,
                      int failures, Instant retryAt) {
    /** Webhooks a lab may have. */
    public static final int MAX = 50;
    public static final int MAX_URL = 2000;
    public static final int MIN_SECRET = 16;
    public static final int MAX_SECRET = 256;

    public Webhook {
        if (url == null || url.isBlank() || url.length() > MAX_URL) {
            throw new BadInputException("a webhook needs a URL of 1 to " + MAX_URL + " characters");
        }
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getRawUserInfo() != null) {
                throw new BadInputException("webhook URL '" + url + "' must be http:// or https:// with a host and no"
                        + " user name or password in it; put credentials in the secret, which signs every body");
            }
        } catch (URISyntaxException e) {
            throw new BadInputException("webhook URL '" + url + "' is not a URL: " + e.getReason());
        }
        if (secret == null || secret.length() < MIN_SECRET || secret.length() > MAX_SECRET || !secret.strip().equals(secret)) {
            throw new BadInputException("a webhook secret is " + MIN_SECRET + " to " + MAX_SECRET
                    + " characters without leading or trailing blanks (e.g. openssl rand -hex 32); the receiver checks"
                    + " each body's signature with it");
        }
        if (events == null || events.isEmpty()) {
            throw new BadInputException("a webhook needs at least one event: " + EventKind.allLabels());
        }
        events = Set.copyOf(EnumSet.copyOf(events));
    }

    public boolean wants(EventKind kind) {
        return events.contains(kind);
    }

    /** The URL with its query string hidden (it may carry a token), as pages show it. */
    public String shownUrl() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?…";
    }
}
