package labdrop.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import labdrop.error.BadInputException;
import labdrop.user.User;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The JSON API under {@code /api/v1} for everything the pages do (docs/api.md, and the OpenAPI
 * file served at {@code /api/v1/openapi.yaml}). A path the OpenAPI file does not name answers 404,
 * one it names with another method 405 with {@code Allow}, both before authentication. Every other
 * call needs {@code Authorization: Bearer <user token>} and goes through one {@link Router} to the
 * resource that answers it ({@link HostsApi}, {@link RequestsApi}, {@link JobsApi}, {@link UsersApi},
 * {@link CatalogApi}); writes follow the same role and ownership rules as the pages
 * ({@link Access}). Errors are {@code {"error": "..."}} with the status from {@link Errors}.
 */
public final class ApiHandler extends Handler.Abstract {
    private final WebServices services;
    private final ApiPaths paths = ApiPaths.load();
    private final Router<ApiCall> router;
    private final LocalAccess local;

    public ApiHandler(WebServices services) {
        this(services, null);
    }

    /** As above, also taking the CLI's calls on the server host through {@code local}'s connector. */
    public ApiHandler(WebServices services, LocalAccess local) {
        this.services = services;
        this.router = routes(services);
        this.local = local;
    }

    /** Every API call and the resource that answers it. */
    static Router<ApiCall> routes(WebServices services) {
        Router<ApiCall> router = new Router<>();
        new UsersApi(services).routes(router);
        new HostsApi(services).routes(router);
        Logs logs = new Logs(services);
        new RequestsApi(services, logs).routes(router);
        new JobsApi(services, logs).routes(router);
        new RegressionsApi(services).routes(router);
        new NotificationsApi(services).routes(router);
        new CatalogApi(services).routes(router);
        new ClusterApi(services).routes(router);
        return router;
    }

    /** A plain-text answer (a log). */
    record Text(byte[] bytes) {
    }

    /** An XML document (a JUnit export). */
    record Xml(byte[] bytes) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Exchange x = new Exchange(request, response, callback);
        String path = x.path();
        if (path.equals("/openapi.yaml")) {
            return openApi(x);
        }
        Optional<Set<String>> methods = paths.methods(path);
        if (methods.isEmpty() || !methods.get().contains(x.method())) {
            x.settleBody();
            if (methods.isEmpty()) {
                x.json(404, Map.of("error", "no API call " + x.method() + " /api/v1" + path + "; see /api/v1/openapi.yaml"));
            } else {
                x.header("Allow", ApiPaths.allow(methods.get()));
                x.json(405, Map.of("error", "/api/v1" + path + " does not answer " + x.method() + "; it answers "
                        + ApiPaths.allow(methods.get()) + " (see /api/v1/openapi.yaml)"));
            }
            return true;
        }
        Optional<User> user;
        try {
            user = caller(x);
        } catch (BadInputException e) {
            x.settleBody();
            x.fail(e);
            return true;
        }
        if (user.isEmpty()) {
            x.settleBody();
            x.header("WWW-Authenticate", "Bearer realm=\"labdrop\"");
            x.json(401, Map.of("error", "log in: send Authorization: Bearer <token> (labdrop user token NAME creates one)"));
            return true;
        }
        x.as(user.get(), null);
        try {
            Optional<Router.Match<ApiCall>> match = router.match(x.method(), path);
            Object answer;
            try {
                answer = match.isEmpty() ? null : match.get().handler().answer(x.with(match.get().params()));
            } finally {
                x.settleBody();
            }
            if (answer == null) {
                x.json(404, Map.of("error", "no API call " + x.method() + " /api/v1" + path + "; see /api/v1/openapi.yaml"));
            } else if (answer instanceof Text text) {
                x.header("Cache-Control", "no-store");
                x.bytes(200, "text/plain; charset=utf-8", text.bytes());
            } else if (answer instanceof Xml xml) {
                x.header("Cache-Control", "no-store");
                x.bytes(200, "application/xml; charset=utf-8", xml.bytes());
            } else {
                x.json(x.status(), answer);
            }
        } catch (Exception e) {
            x.fail(e);
        }
        return true;
    }

    /** Who calls: a user's token, or the CLI on the server host ({@link LocalAccess}); empty when neither. */
    private Optional<User> caller(Exchange x) {
        String header = x.header("Authorization");
        if (header == null) {
            return Optional.empty();
        }
        if (header.startsWith("Bearer ")) {
            return services.accounts().byToken(header.substring(7).strip());
        }
        if (local != null && header.startsWith(LocalAccess.SCHEME + " ")) {
            return local.caller(x.connectorName(), header.substring(LocalAccess.SCHEME.length() + 1),
                    x.header(LocalAccess.AS_HEADER));
        }
        return Optional.empty();
    }

    private boolean openApi(Exchange x) {
        try (InputStream in = ApiHandler.class.getResourceAsStream("/openapi.yaml")) {
            x.bytes(200, "application/yaml; charset=utf-8", in.readAllBytes());
        } catch (IOException e) {
            x.callback().failed(e);
        }
        return true;
    }
}
