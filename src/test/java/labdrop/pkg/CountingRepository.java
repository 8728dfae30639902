package labdrop.pkg;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * A tester's own package repository for tests: a real Jetty serving a folder on a loopback port,
 * counting the GETs of each file name so a test can tell which repository an agent fetched from.
 */
public final class CountingRepository implements AutoCloseable {
    private final Server server = new Server();
    private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();

    public CountingRepository(Path folder) throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(server).newResource(folder));
        server.setHandler(new Handler.Wrapper(files) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                gets.computeIfAbsent(path.substring(path.lastIndexOf('/') + 1), k -> new AtomicInteger()).incrementAndGet();
                return super.handle(request, response, callback);
            }
        });
        server.start();
    }

    /** The repository's base URL, with the trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/";
    }

    /** How many requests asked for a file of this name. */
    public int gets(String fileName) {
        AtomicInteger n = gets.get(fileName);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
