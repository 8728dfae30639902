package labdrop.host;

import java.time.Instant;

/**
 * What a host's last health check said: {@code PASSED} or {@code FAILED} (null before the first
 * check), why (the check's request and its failing test) and when.
 */
public record HostHealth(Verdict verdict, String reason, Instant at) {
    public static final HostHealth UNKNOWN = new HostHealth(null, null, null);

    /** A finished health check's verdict. */
    public enum Verdict {
        PASSED, FAILED
    }

    /** {@code healthy}, {@code unhealthy} or {@code unknown}, as pages and the API show it. */
    public String label() {
        return verdict == null ? "unknown" : verdict == Verdict.PASSED ? "healthy" : "unhealthy";
    }
}
