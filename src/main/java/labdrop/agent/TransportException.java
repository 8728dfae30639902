package labdrop.agent;

import java.io.IOException;

/** A transport operation failed; {@code retryable} says whether another attempt may succeed. */
final class TransportException extends IOException {
    private final boolean retryable;

    TransportException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }
}
