package labdrop.web;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.jetty12.server.TimedHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import labdrop.config.ServerConfig;
import labdrop.lab.LabMetrics;
import labdrop.ops.Readiness;
import labdrop.queue.Generations;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.eclipse.jetty.session.SessionHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * Builds the server's Jetty, unstarted: every package repository at {@code /packages/<name>/}
 * (GET, HEAD, Range, ETag and Last-Modified with 304s, a 200 listing at the base URL as
 * Autotest's fetcher requires, no gzip of compressed files, paths outside the folder refused by
 * Jetty's alias checks), {@code /healthz} (liveness), {@code /readyz} (readiness) and the {@code /api/v1} handler.
 */
public final class HttpServerFactory {
    private HttpServerFactory() {
    }

    public static Server build(String host, int port, Map<String, Path> repositories, Handler api)
            throws IOException {
        return build(host, port, repositories, api, null, null);
    }

    /**
     * As above, plus {@code /metrics} from {@code metrics} (Prometheus text) with Jetty's requests
     * (by method, status and outcome), thread pool and connections, and
     * {@code labdrop_package_bytes_served_total} counted by a StatisticsHandler around the repositories.
     */
    public static Server build(String host, int port, Map<String, Path> repositories, Handler api,
                               LabMetrics metrics, Handler web)
            throws IOException {
        return build(host, port, ServerConfig.Tls.NONE, List.of(), repositories, api, metrics, web, null, null);
    }

    /**
     * As above, over HTTPS when {@code tls} is set, believing forwarded headers from {@code trustedProxies}
     * only, with {@code /readyz} answered from {@code readiness} when given, and, when {@code doorbell}
     * is given, its polls answered on the network thread whenever it answers them from memory
     * ({@link SelectorLane}; {@code api} still serves the others).
     */
    public static Server build(String host, int port, ServerConfig.Tls tls, List<String> trustedProxies,
                               Map<String, Path> repositories, Handler api,
                               LabMetrics metrics, Handler web, Readiness readiness, Generations doorbell)
            throws IOException {
        Server server = new Server();
        server.addConnector(Connectors.create(server, host, port, tls, trustedProxies));
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        ContextHandlerCollection packages = new ContextHandlerCollection();
        for (Map.Entry<String, Path> repo : repositories.entrySet()) {
            packages.addHandler(new ContextHandler(withFraming(repository(server, repo.getValue())),
                    "/packages/" + repo.getKey()));
        }
        StatisticsHandler served = new StatisticsHandler(packages);
        contexts.addHandler(served);
        ContextHandler health = new ContextHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
                response.write(true, ByteBuffer.wrap("ok\n".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        }, "/healthz");
        health.setAllowNullPathInContext(true);
        contexts.addHandler(health);
        if (readiness != null) {
            ContextHandler ready = new ContextHandler(new ReadinessHandler(readiness), "/readyz");
            ready.setAllowNullPathInContext(true);
            contexts.addHandler(ready);
        }
        if (api != null) {
            contexts.addHandler(new ContextHandler(api, "/api/v1"));
        }
        if (metrics != null) {
            FunctionCounter.builder("labdrop.package.served", served,
                    StatisticsHandler::getBytesWritten).description("Bytes written by the package repositories")
                    .baseUnit("bytes").register(metrics.registry());
            ContextHandler scrape = new ContextHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    response.getHeaders().put("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    response.write(true, ByteBuffer.wrap(metrics.scrape().getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
            }, "/metrics");
            scrape.setAllowNullPathInContext(true);
            contexts.addHandler(scrape);
        }
        if (web != null) {
            // The pages, at /, with sessions: cookie HttpOnly and SameSite=Strict, Secure on https.
            SessionHandler sessions = new SessionHandler();
            sessions.setHttpOnly(true);
            sessions.setSameSite(HttpCookie.SameSite.STRICT);
            sessions.setSecureRequestOnly(true);
            sessions.setMaxInactiveInterval(8 * 3600);
            sessions.setHandler(web);
            contexts.addHandler(new ContextHandler(sessions, "/"));
        }
        Handler top = doorbell == null ? contexts
                : new SelectorLane(new DoorbellHandler(doorbell), contexts, server.getThreadPool());
        if (metrics != null) {
            TimedHandler timed = new TimedHandler(metrics.registry(), Tags.empty());
            timed.setHandler(top);
            server.setHandler(timed);
            new JettyServerThreadPoolMetrics(server.getThreadPool(), Tags.empty()).bindTo(metrics.registry());
            JettyConnectionMetrics.addToAllConnectors(server, metrics.registry());
        } else {
            server.setHandler(top);
        }
        return server;
    }

    /** The security headers of every page ({@link WebSecurity#framing}) on whatever {@code inner} serves. */
    private static Handler withFraming(Handler inner) {
        return new Handler.Wrapper(inner) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                WebSecurity.framing(request, response);
                return super.handle(request, response, callback);
            }
        };
    }

    /** Serves one repository folder: listing, Range, ETag, Last-Modified; never compresses. */
    public static ResourceHandler repository(Server server, Path dir) throws IOException {
        Files.createDirectories(dir);
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(server).newResource(dir.toAbsolutePath()));
        files.setDirAllowed(true);
        files.setAcceptRanges(true);
        files.setEtags(true);
        files.setCacheControl("no-cache");
        return files;
    }

    /** The port the server listens on (the real one when built with port 0). */
    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }
}
