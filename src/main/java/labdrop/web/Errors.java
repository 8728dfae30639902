package labdrop.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Map;
import labdrop.error.BadInputException;
import labdrop.error.ConflictException;
import labdrop.error.ForbiddenException;
import labdrop.error.NotFoundException;
import labdrop.pkg.PayloadTooLargeException;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become HTTP statuses, for the API and the pages alike: bad input 400,
 * forbidden 403, not found 404, conflict 409, too large 413, anything else 500 (logged, and
 * never shown). The API's error body is {@code {"error": "..."}}; a page shows the message on
 * the page the form came from, with the same status.
 */
final class Errors {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {
    }

    static int status(Throwable e) {
        if (e instanceof PayloadTooLargeException) {
            return 413;
        }
        if (e instanceof BadInputException) {
            return 400;
        }
        if (e instanceof ForbiddenException) {
            return 403;
        }
        if (e instanceof NotFoundException) {
            return 404;
        }
        if (e instanceof ConflictException) {
            return 409;
        }
        return 500;
    }

    static void fail(Response response, Callback callback, Throwable e) {
        int status = status(e);
        if (status == 500) {
            LOG.error("API request failed", e);
        }
        send(response, callback, status, Map.of("error", status == 500 ? "internal error; see the server log" : e.getMessage()));
    }

    static void send(Response response, Callback callback, int status, Object body) {
        try {
            response.setStatus(status);
            response.getHeaders().put("Content-Type", "application/json");
            response.getHeaders().put("Cache-Control", "no-store");
            response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }
}
