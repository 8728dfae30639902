package labdrop.event;

import java.time.Instant;

/**
 * Something that happened in the lab, written in the same transaction as the change itself, then
 * fanned out to the webhooks and mail subscriptions that want it. {@code host}, {@code requestNum}
 * and {@code jobNum} are null when the event has none; {@code detail} is a short reason.
 */
public record Event(long id, EventKind kind, String host, Long requestNum, Long jobNum, String detail, Instant createdAt) {
    /** Longest detail kept with an event. */
    public static final int MAX_DETAIL = 1000;

    public static String detail(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL - 1) + "…";
    }

    /** Deliveries of one webhook are kept in order per this key: the host, or none. */
    public String orderKey() {
        return host == null ? "" : host;
    }
}
