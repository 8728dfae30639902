package labdrop.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook receiver: the JDK's own HTTP server on a loopback port, keeping every POST it got
 * (headers and body). It can answer 503 for a while, or be stopped and started again on its port.
 */
public final class Receiver implements AutoCloseable {
    public record Got(String event, String delivery, String signature, byte[] body) {
    }

    public final List<Got> got = new CopyOnWriteArrayList<>();
    public volatile int answer = 204;
    private HttpServer server;
    private int port;

    public Receiver start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                int status = answer;
                if (status / 100 == 2 && "POST".equals(exchange.getRequestMethod())) {
                    got.add(new Got(exchange.getRequestHeaders().getFirst("X-Labdrop-Event"),
                            exchange.getRequestHeaders().getFirst("X-Labdrop-Delivery"),
                            exchange.getRequestHeaders().getFirst("X-Labdrop-Signature-256"), body));
                }
                exchange.sendResponseHeaders(status, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        port = server.getAddress().getPort();
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    /** Down: connections to its port are refused until {@link #start} again. */
    public void stop() {
        server.stop(0);
    }

    @Override
    public void close() {
        stop();
    }
}
