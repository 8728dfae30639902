package labdrop.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import labdrop.queue.Doorbell;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/v1/hosts/<host>/generation} with {@code Authorization: Bearer <host token>}:
 * the host's generation as JSON with an ETag; {@code If-None-Match} with the current ETag gets an
 * empty 304. The agent's scheduled poll is this request; it opens SFTP or rsync only on a 200.
 */
public final class DoorbellHandler extends Handler.Abstract {
    private static final String PREFIX = "/hosts/";
    private static final String SUFFIX = "/generation";
    private final Doorbell doorbell;

    public DoorbellHandler(Doorbell doorbell) {
        this.doorbell = doorbell;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
            return false;
        }
        String host = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.getHeaders().put("Allow", "GET, HEAD");
            Errors.send(response, callback, 405, Map.of("error", "the doorbell is read with GET"));
            return true;
        }
        String header = request.getHeaders().get("Authorization");
        String token = header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : null;
        Optional<Long> generation = doorbell.generation(host, token);
        if (generation.isEmpty()) {
            response.getHeaders().put("WWW-Authenticate", "Bearer realm=\"labdrop-host\"");
            Errors.send(response, callback, 401, Map.of("error", "send Authorization: Bearer <token> with host '"
                    + host + "''s doorbell token (labdrop host token " + host + " issues one); tokens of other"
                    + " hosts, users and retired hosts are refused"));
            return true;
        }
        String etag = "\"g" + generation.get() + "\"";
        response.getHeaders().put("ETag", etag);
        response.getHeaders().put("Cache-Control", "no-cache");
        if (etag.equals(request.getHeaders().get("If-None-Match"))) {
            doorbell.answered(host, false);
            response.setStatus(304);
            callback.succeeded();
            return true;
        }
        doorbell.answered(host, true);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("host", host);
        body.put("generation", generation.get());
        Errors.send(response, callback, 200, body);
        return true;
    }
}
