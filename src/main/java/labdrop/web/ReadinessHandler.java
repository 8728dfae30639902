package labdrop.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import labdrop.ops.Readiness;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /readyz}: 200 when every readiness check passes, else 503; either way the checks as
 * JSON ({@code {"ready", "at", "checks":[{"name","ok","detail"}], "failing":[names]}}). No login:
 * load balancers and systemd ask it; it tells nothing beyond what is wrong.
 */
final class ReadinessHandler extends Handler.Abstract {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Readiness readiness;

    ReadinessHandler(Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            Response.writeError(request, response, callback, 405);
            return true;
        }
        Readiness.Report report = readiness.report();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", report.ready());
        body.put("at", report.at().toString());
        body.put("checks", report.checks());
        body.put("failing", report.failing().stream().map(Readiness.Check::name).toList());
        response.setStatus(report.ready() ? 200 : 503);
        response.getHeaders().put("Content-Type", "application/json");
        response.getHeaders().put("Cache-Control", "no-store");
        response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
        return true;
    }
}
