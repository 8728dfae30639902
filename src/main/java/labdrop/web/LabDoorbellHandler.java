package labdrop.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import labdrop.error.BadInputException;
import labdrop.queue.Doorbell;
import labdrop.queue.Generations;
import labdrop.queue.LabTokens;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/v1/labs/<lab>/generation} with {@code Authorization: Bearer <lab token>}: the
 * lab's doorbell for its gateway (docs/api.md), so the gateway opens its SSH login to the server
 * only when something changed. The answer is the lab's tag (its ETag) and each host's generation
 * and doorbell token hash (the gateway answers its SUTs' polls with them). {@code If-None-Match}
 * with the current tag gets an empty 304; with {@code ?wait=SECONDS} (1 to 55) it is held, without a
 * thread, until a host of the lab changes (200) or the wait runs out (304).
 */
public final class LabDoorbellHandler extends Handler.Abstract {
    private static final String PREFIX = "/labs/";
    private static final String SUFFIX = "/generation";
    /** How long past its wait a held poll's connection may stay quiet before Jetty closes it. */
    private static final Duration HOLD_SLACK = Duration.ofSeconds(10);
    private final Doorbell doorbell;
    private final LabTokens tokens;

    public LabDoorbellHandler(Doorbell doorbell, LabTokens tokens) {
        this.doorbell = doorbell;
        this.tokens = tokens;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX) || path.length() <= PREFIX.length() + SUFFIX.length()) {
            return false;
        }
        String lab = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
        if (!"GET".equals(request.getMethod())) {
            response.getHeaders().put("Allow", "GET");
            Errors.send(response, callback, 405, Map.of("error", "a lab's doorbell is read with GET"));
            return true;
        }
        String header = request.getHeaders().get("Authorization");
        String token = header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : null;
        Optional<List<String>> hosts = tokens.hosts(lab, token);
        if (hosts.isEmpty()) {
            response.getHeaders().put("WWW-Authenticate", "Bearer realm=\"labdrop-lab\"");
            Errors.send(response, callback, 401, Map.of("error", "send Authorization: Bearer <token> with lab '" + lab
                    + "''s doorbell token (labdrop lab token " + lab + " issues one); tokens of hosts, users and other labs"
                    + " are refused"));
            return true;
        }
        Duration wait;
        try {
            wait = DoorbellHandler.wait(Request.extractQueryParameters(request).getValue("wait"));
        } catch (BadInputException e) {
            Errors.send(response, callback, 400, Map.of("error", e.getMessage()));
            return true;
        }
        Doorbell.LabBell bell = doorbell.labBell(hosts.get());
        String seen = tag(request.getHeaders().get("If-None-Match"));
        if (!bell.tag().equals(seen)) {
            changed(response, callback, lab, bell);
            return true;
        }
        if (wait.isZero()) {
            unchanged(response, callback, bell.tag());
            return true;
        }
        // as for a host's held poll (DoorbellHandler): the quiet connection outlives the wait
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleTimeout = endPoint.getIdleTimeout();
        endPoint.setIdleTimeout(wait.plus(HOLD_SLACK).toMillis());
        Supplier<List<String>> hostsNow = () -> tokens.hosts(lab, token).orElse(List.of());
        Optional<? extends Generations.HeldPoll> held = doorbell.holdLab(lab, hostsNow, seen, wait, now -> {
            endPoint.setIdleTimeout(idleTimeout);
            if (now.tag().equals(seen)) {
                unchanged(response, callback, seen);
            } else {
                changed(response, callback, lab, now);
            }
        });
        if (held.isEmpty()) {
            endPoint.setIdleTimeout(idleTimeout);
            response.getHeaders().put("Retry-After", Long.toString(Doorbell.MAX_WAIT.toSeconds()));
            Errors.send(response, callback, 429, Map.of("error", "too many doorbell polls are held for lab '" + lab + "' ("
                    + Doorbell.MAX_HELD_PER_HOST + " at most, " + Doorbell.MAX_HELD + " in all); poll again after Retry-After"));
            return true;
        }
        request.addFailureListener(failure -> held.get().cancel());
        return true;
    }

    /** The tag in an {@code If-None-Match} header ({@code "TAG"}); null when there is none. */
    static String tag(String ifNoneMatch) {
        if (ifNoneMatch == null || ifNoneMatch.length() < 2 || !ifNoneMatch.startsWith("\"") || !ifNoneMatch.endsWith("\"")) {
            return null;
        }
        return ifNoneMatch.substring(1, ifNoneMatch.length() - 1);
    }

    private static void changed(Response response, Callback callback, String lab, Doorbell.LabBell bell) {
        response.getHeaders().put("ETag", "\"" + bell.tag() + "\"");
        response.getHeaders().put("Cache-Control", "no-cache");
        List<Map<String, Object>> hosts = new ArrayList<>();
        bell.generations().forEach((host, generation) -> {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("name", host);
            h.put("generation", generation);
            String hash = bell.tokenHashes().get(host);
            h.put("tokenSha256", hash == null || hash.isEmpty() ? null : hash);
            hosts.add(h);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lab", lab);
        body.put("tag", bell.tag());
        body.put("hosts", hosts);
        Errors.send(response, callback, 200, body);
    }

    private static void unchanged(Response response, Callback callback, String tag) {
        response.getHeaders().put("ETag", "\"" + tag + "\"");
        response.getHeaders().put("Cache-Control", "no-cache");
        response.setStatus(304);
        callback.succeeded();
    }
}
