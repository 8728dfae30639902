package labdrop.log;

import org.slf4j.MDC;

/**
 * The host and request a thread is working for, in every log line it writes meanwhile (SLF4J's
 * MDC: {@code host=…, request=…} in text lines, {@code "mdc": {"host": …}} in JSON lines).
 * Opened in try-with-resources; closing puts back what the thread had before, so scopes nest.
 */
public final class LogContext implements AutoCloseable {
    public static final String HOST = "host";
    public static final String REQUEST = "request";
    private final String previousHost;
    private final String previousRequest;

    private LogContext(String host, String request) {
        previousHost = MDC.get(HOST);
        previousRequest = MDC.get(REQUEST);
        set(HOST, host == null ? previousHost : host);
        set(REQUEST, request == null ? previousRequest : request);
    }

    /** Lines written until {@link #close} concern {@code host}. */
    public static LogContext host(String host) {
        return new LogContext(host, null);
    }

    /** Lines written until {@link #close} concern {@code request}, on {@code host} when it is not null. */
    public static LogContext request(String host, String request) {
        return new LogContext(host, request);
    }

    private static void set(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    @Override
    public void close() {
        set(HOST, previousHost);
        set(REQUEST, previousRequest);
    }
}
