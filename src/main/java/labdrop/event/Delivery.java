package labdrop.event;

import java.time.Instant;

/** One event on its way to one webhook: pending (with its next try), delivered, or given up. */
public record Delivery(long id, long webhookId, long eventId, EventKind kind, String hostKey, String body, Status status,
                       int attempts, Instant createdAt, Instant nextAt, Instant doneAt, Integer lastStatus, String lastError) {

    public enum Status {
        PENDING, DELIVERED, FAILED;

        public String label() {
            return name().toLowerCase();
        }
    }
}
