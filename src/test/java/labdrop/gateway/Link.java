package labdrop.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The network between a gateway and its server, on loopback: a TCP relay from a port of its own
 * to the server's SSH port, which a test can cut (every connection closed, the port closed, so
 * new connections are refused), restore (the same port open again) or slow down.
 */
final class Link implements AutoCloseable {
    private final int target;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;
    /** Bytes per second each direction of each connection may carry; 0: as fast as loopback goes. */
    private volatile long rate;

    Link(int target) throws IOException {
        this.target = target;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        port = listener.getLocalPort();
        accept(listener);
    }

    int port() {
        return port;
    }

    private void accept(ServerSocket socket) {
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(client);
                    open.add(server);
                    pump(client.getInputStream(), server.getOutputStream(), client, server);
                    pump(server.getInputStream(), client.getOutputStream(), client, server);
                } catch (IOException closed) {
                    // cut
                }
            }
        }, "link-accept");
        t.setDaemon(true);
        t.start();
    }

    private void pump(InputStream in, OutputStream out, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                    long limit = rate;
                    if (limit > 0) {
                        Thread.sleep(n * 1000L / limit);
                    }
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            } catch (IOException cut) {
                // one side went away
            } finally {
                close(a);
                close(b);
            }
        }, "link-pump");
        t.setDaemon(true);
        t.start();
    }

    /** A slow link: at most {@code bytesPerSecond} each way per connection (0: no limit). */
    void throttle(long bytesPerSecond) {
        rate = bytesPerSecond;
    }

    /** The link goes down: open connections are cut and new ones refused. */
    void cut() throws IOException {
        listener.close();
        open.forEach(Link::close);
        open.clear();
    }

    /** The link comes back on the same port. */
    void restore() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        listener = socket;
        accept(socket);
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
