package labdrop.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import labdrop.error.NotFoundException;
import labdrop.user.User;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.URIUtil;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * The API's calls run in this process, for the CLI on the server host: the same routes, resource
 * handlers, rules and views as {@code /api/v1}, without HTTP. The caller acts as a given user; an
 * error is the exception the HTTP API would have turned into its status.
 */
public final class LocalApi {
    private final Router<ApiCall> router;

    public LocalApi(WebServices services) {
        this.router = ApiHandler.routes(services);
    }

    /**
     * Answers {@code method pathAndQuery} (e.g. {@code /requests?limit=5}) with {@code body} (a
     * JSON-ready value, a text, or null) as {@code caller}: the answer as JSON, as the API sends it.
     */
    public JsonNode call(User caller, String method, String pathAndQuery, Object body) throws IOException {
        int q = pathAndQuery.indexOf('?');
        // As Jetty hands the API the path: percent-decoded.
        String path = URIUtil.decodePath(q < 0 ? pathAndQuery : pathAndQuery.substring(0, q));
        Fields query = new Fields();
        if (q >= 0) {
            UrlEncoded.decodeUtf8To(pathAndQuery.substring(q + 1), query);
        }
        Optional<Router.Match<ApiCall>> match = router.match(method, path);
        if (match.isEmpty()) {
            throw new NotFoundException("no API call " + method + " /api/v1" + path + "; see /api/v1/openapi.yaml");
        }
        String text = body == null ? "" : body instanceof String s ? s : Errors.JSON.writeValueAsString(body);
        Object answer = match.get().handler().answer(new MemoryCall(caller, match.get().params(), query, text));
        if (answer instanceof ApiHandler.Text t) {
            return Errors.JSON.getNodeFactory().textNode(new String(t.bytes(), StandardCharsets.UTF_8));
        }
        if (answer instanceof ApiHandler.Xml xml) {
            return Errors.JSON.getNodeFactory().textNode(new String(xml.bytes(), StandardCharsets.UTF_8));
        }
        return Errors.JSON.valueToTree(answer);
    }

    /** A call held in memory. */
    private record MemoryCall(User user, Map<String, String> params, Fields query, String body) implements Call {
        @Override
        public String param(String name) {
            return params.get(name);
        }

        @Override
        public String query(String name) {
            return query.getValue(name);
        }

        @Override
        public void created() {
            // in process there is no status line: the answer is the created resource either way
        }
    }
}
