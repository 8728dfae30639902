package labdrop.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import labdrop.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default H2 store as the server opens it: its AUTO_SERVER port is for this machine only. */
class H2StoreIT {
    @TempDir
    Path dir;

    @Test
    void theStoreIsServedToOtherProcessesOnLoopbackOnly() throws Exception {
        Path file = dir.resolve("labdrop");
        ServerConfig.Database database = ServerConfig.Database.own(
                "jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE;WRITE_DELAY=0", "sa", "", 2);
        try (Store store = Store.open(database)) {
            Properties lock = new Properties();
            try (InputStream in = Files.newInputStream(dir.resolve("labdrop.lock.db"))) {
                lock.load(in);
            }
            String server = lock.getProperty("server");
            assertTrue(server.startsWith("localhost:") || server.startsWith("127.0.0.1:"),
                    "the lock file tells other processes " + server);
            int port = Integer.parseInt(server.substring(server.indexOf(':') + 1));
            try (Socket local = new Socket("127.0.0.1", port)) {
                assertTrue(local.isConnected());
            }
            Optional<InetAddress> outside = networkAddress();
            if (outside.isPresent()) {
                assertThrows(ConnectException.class, () -> connect(outside.get(), port),
                        "the store's port answered on " + outside.get());
            }
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2_000);
        }
    }

    private static Optional<InetAddress> networkAddress() throws IOException {
        return NetworkInterface.networkInterfaces().filter(nic -> {
            try {
                return nic.isUp() && !nic.isLoopback();
            } catch (IOException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(Inet4Address.class::isInstance).findFirst();
    }
}
