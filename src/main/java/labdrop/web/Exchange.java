package labdrop.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.pkg.PayloadTooLargeException;
import labdrop.user.User;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * One HTTP call as a page or API handler sees it: the path's parameters, the query, the body, the
 * caller (user and session), and the ways to answer. Handlers never touch Jetty's request,
 * response and callback themselves.
 */
final class Exchange implements Call {
    static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";
    /** Largest JSON or text body accepted (a config file is capped lower by ingest.max-config-bytes). */
    static final int MAX_BODY = 1 << 20;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private Map<String, String> params = Map.of();
    private Fields query;
    private Fields form;
    private User user;
    private Session session;
    private int status = 200;

    Exchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    Exchange with(Map<String, String> pathParams) {
        this.params = pathParams;
        return this;
    }

    Exchange as(User caller, Session callerSession) {
        this.user = caller;
        this.session = callerSession;
        return this;
    }

    /**
     * The request's method; a POST with {@code X-HTTP-Method-Override: PATCH} is a PATCH (the CLI's
     * HttpURLConnection cannot send PATCH; docs/api.md). No other method can be overridden.
     */
    String method() {
        String method = request.getMethod();
        return "POST".equals(method) && "PATCH".equalsIgnoreCase(request.getHeaders().get(METHOD_OVERRIDE)) ? "PATCH" : method;
    }

    /** The path inside the handler's context ({@code /hosts/sut-01} under {@code /api/v1}). */
    String path() {
        return Request.getPathInContext(request);
    }

    /** A path parameter the route named. */
    @Override
    public String param(String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalStateException("the route has no parameter {" + name + "}");
        }
        return value;
    }

    /** A query parameter, or null. */
    @Override
    public String query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return query.getValue(name);
    }

    /** Reads the POSTed form (query and body); done once, by the page front, before a handler asks for fields. */
    void readForm() throws Exception {
        form = Request.getParameters(request);
    }

    /** A field of the form {@link #readForm} read, or null. */
    String form(String name) {
        if (form == null) {
            throw new IllegalStateException("the form was not read");
        }
        return form.getValue(name);
    }

    /** Every value of a repeated form field (checkboxes of one name), in order; empty when none. */
    List<String> formValues(String name) {
        if (form == null) {
            throw new IllegalStateException("the form was not read");
        }
        List<String> values = form.getValues(name);
        return values == null ? List.of() : values;
    }

    @Override
    public User user() {
        return user;
    }

    Session session() {
        return session;
    }

    String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The name of the connector the call came through ({@link LocalAccess}'s, or null for the public one). */
    String connectorName() {
        return request.getConnectionMetaData().getConnector().getName();
    }

    String remoteAddress() {
        return Request.getRemoteAddr(request);
    }

    /** The body as text, at most {@link #MAX_BODY} bytes. */
    @Override
    public String body() throws IOException {
        if (request.getLength() > MAX_BODY) {
            throw new PayloadTooLargeException("request body of " + request.getLength() + " bytes is over the API's cap of "
                    + MAX_BODY + " bytes");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new PayloadTooLargeException("request body is over the API's cap of " + MAX_BODY + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads what the call left unread of its body (a refused call reads none of it) before the answer
     * goes out. Jetty closes a connection whose request body was not consumed, and once the answer is
     * committed it can no longer say so: a client reusing the connection would then meet a silent
     * close. A body over the cap is not read; the answer carries {@code Connection: close} instead.
     */
    void settleBody() {
        if (request.getLength() == 0) {
            return;
        }
        try {
            body();
        } catch (IOException | PayloadTooLargeException e) {
            response.getHeaders().put("Connection", "close");
        }
    }

    /** The answer is a new resource (201) rather than 200. */
    @Override
    public void created() {
        status = 201;
    }

    int status() {
        return status;
    }

    void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    void json(int code, Object body) {
        Errors.send(response, callback, code, body);
    }

    void fail(Throwable e) {
        Errors.fail(response, callback, e);
    }

    void html(int code, String body) {
        response.setStatus(code);
        response.getHeaders().put("Content-Type", "text/html; charset=utf-8");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    void bytes(int code, String contentType, byte[] body) {
        response.setStatus(code);
        response.getHeaders().put("Content-Type", contentType);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    void redirect(String location) {
        Response.sendRedirect(request, response, callback, location);
    }

    /** The session, created when {@code create} and there is none. */
    Optional<Session> session(boolean create) {
        return Optional.ofNullable(request.getSession(create));
    }

    /** For the few helpers that speak Jetty themselves (CSRF, login tokens, uploads). */
    Request request() {
        return request;
    }

    Response response() {
        return response;
    }

    Callback callback() {
        return callback;
    }
}
