package labdrop.web;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import labdrop.error.BadInputException;
import labdrop.queue.Doorbell;
import labdrop.queue.Generations;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/v1/hosts/<host>/generation} with {@code Authorization: Bearer <host token>}:
 * the host's generation as JSON with an ETag; {@code If-None-Match} with the current ETag gets an
 * empty 304. The agent's scheduled poll is this request; it opens SFTP or rsync only on a 200.
 * With {@code ?wait=SECONDS} (1 to 55) an unchanged answer is held until the host changes (200) or
 * the wait runs out (304): the agent daemon's long-poll, which starts filed work within a second.
 */
public final class DoorbellHandler extends Handler.Abstract {
    private static final String PREFIX = "/hosts/";
    private static final String SUFFIX = "/generation";
    /** How long past its wait a held poll's connection may stay quiet before Jetty closes it. */
    private static final Duration HOLD_SLACK = Duration.ofSeconds(10);
    private final Generations doorbell;

    /** The front of {@code doorbell}: the server's, or a lab gateway's for its SUTs. */
    public DoorbellHandler(Generations doorbell) {
        this.doorbell = doorbell;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String host = host(Request.getPathInContext(request));
        if (host == null) {
            return false;
        }
        answer(host, request, response, callback);
        return true;
    }

    /** The host a doorbell's path names ({@code /hosts/<host>/generation} in the API), or null for any other path. */
    static String host(String pathInApi) {
        if (!pathInApi.startsWith(PREFIX) || !pathInApi.endsWith(SUFFIX)
                || pathInApi.length() < PREFIX.length() + SUFFIX.length()) {
            return null;
        }
        return pathInApi.substring(PREFIX.length(), pathInApi.length() - SUFFIX.length());
    }

    /**
     * Whether a poll of {@code host} is answered from memory, never waiting on the store or a disk
     * (then {@link SelectorLane} answers it on the network thread that read it).
     */
    boolean answersFromMemory(String host) {
        return doorbell.inMemory(host);
    }

    /** Answers a poll of {@code host}'s doorbell (any method: others than GET and HEAD get a 405). */
    void answer(String host, Request request, Response response, Callback callback) {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.getHeaders().put("Allow", "GET, HEAD");
            Errors.send(response, callback, 405, Map.of("error", "the doorbell is read with GET"));
            return;
        }
        String header = request.getHeaders().get("Authorization");
        String token = header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : null;
        Optional<Long> generation = doorbell.generation(host, token);
        if (generation.isEmpty()) {
            response.getHeaders().put("WWW-Authenticate", "Bearer realm=\"labdrop-host\"");
            Errors.send(response, callback, 401, Map.of("error", "send Authorization: Bearer <token> with host '"
                    + host + "''s doorbell token (labdrop host token " + host + " issues one); tokens of other"
                    + " hosts, users and retired hosts are refused"));
            return;
        }
        Duration wait;
        try {
            wait = wait(Request.extractQueryParameters(request).getValue("wait"));
        } catch (BadInputException e) {
            Errors.send(response, callback, 400, Map.of("error", e.getMessage()));
            return;
        }
        String etag = etag(generation.get());
        if (!etag.equals(request.getHeaders().get("If-None-Match"))) {
            doorbell.answered(host, true);
            changed(response, callback, host, generation.get());
            return;
        }
        if (wait.isZero()) {
            doorbell.answered(host, false);
            unchanged(response, callback, etag);
            return;
        }
        // The connection is quiet while the poll is held: its idle timeout (Jetty's 30 s) is put past
        // the wait, and back once the poll is answered. (Letting it expire and waiving it costs a new
        // thread per held poll: Jetty runs each expiry on a thread of its own.)
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleTimeout = endPoint.getIdleTimeout();
        endPoint.setIdleTimeout(wait.plus(HOLD_SLACK).toMillis());
        Optional<? extends Generations.HeldPoll> held = doorbell.hold(host, generation.get(), wait, new Generations.Answer() {
            @Override
            public void changed(long now) {
                endPoint.setIdleTimeout(idleTimeout);
                DoorbellHandler.changed(response, callback, host, now);
            }

            @Override
            public void unchanged() {
                endPoint.setIdleTimeout(idleTimeout);
                DoorbellHandler.unchanged(response, callback, etag);
            }
        });
        if (held.isEmpty()) {
            endPoint.setIdleTimeout(idleTimeout);
            response.getHeaders().put("Retry-After", Long.toString(Doorbell.MAX_WAIT.toSeconds()));
            Errors.send(response, callback, 429, Map.of("error", "too many doorbell polls are held (" + doorbell.maxHeldPerHost()
                    + " per host, " + doorbell.maxHeld() + " in all); poll without wait, or again after Retry-After"));
            return;
        }
        request.addFailureListener(failure -> held.get().cancel());
    }

    /** {@code ?wait=}: whole seconds from 0 to {@link Doorbell#MAX_WAIT}; absent means 0 (answer at once). */
    public static Duration wait(String text) {
        if (text == null || text.isEmpty()) {
            return Duration.ZERO;
        }
        long max = Doorbell.MAX_WAIT.toSeconds();
        try {
            long seconds = Long.parseLong(text);
            if (seconds >= 0 && seconds <= max) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new BadInputException("wait='" + (text.length() > 20 ? text.substring(0, 20) + "..." : text)
                + "' is not whole seconds from 0 to " + max + " (the longest a doorbell poll is held); ask for " + max + " or less");
    }

    private static String etag(long generation) {
        return "\"g" + generation + "\"";
    }

    private static void changed(Response response, Callback callback, String host, long generation) {
        response.getHeaders().put("ETag", etag(generation));
        response.getHeaders().put("Cache-Control", "no-cache");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("host", host);
        body.put("generation", generation);
        Errors.send(response, callback, 200, body);
    }

    private static void unchanged(Response response, Callback callback, String etag) {
        response.getHeaders().put("ETag", etag);
        response.getHeaders().put("Cache-Control", "no-cache");
        response.setStatus(304);
        callback.succeeded();
    }
}
