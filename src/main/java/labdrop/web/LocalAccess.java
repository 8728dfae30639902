package labdrop.web;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import labdrop.error.BadInputException;
import labdrop.user.Role;
import labdrop.user.User;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * How the CLI on the server host reaches the running server instead of opening the store itself
 * (docs/cli.md "On the server host"): the server listens on a second, plain connector on
 * 127.0.0.1 (an ephemeral port) and writes its address, its process id and a random key into
 * {@code <state.dir>/local-api} (mode 0600, renewed at every start, removed at a clean stop). A
 * caller that can read that file could open the store as well, so on that connector only, the API
 * takes {@code Authorization: Local <key>} with {@code X-Labdrop-As: <name>} as an admin of that
 * name, as the CLI on the store acts. The key never leaves the host and never works on the public
 * connector.
 */
public final class LocalAccess {
    /** The file in the state folder. */
    public static final String FILE = "local-api";
    /** The header naming who acts (the CLI's {@code --as}, by default the login name). */
    public static final String AS_HEADER = "X-Labdrop-As";
    /** The authorization scheme. */
    public static final String SCHEME = "Local";
    /** Longest name accepted in {@link #AS_HEADER}. */
    static final int MAX_NAME = 100;
    private static final String CONNECTOR = "local";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] key;

    private LocalAccess(byte[] key) {
        this.key = key;
    }

    /** A new key for this server process. */
    public static LocalAccess generate() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new LocalAccess(key);
    }

    /** Adds the loopback connector (before the server starts); its port is known once it has. */
    public static void addConnector(Server server) {
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setName(CONNECTOR);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
    }

    /** Writes the file for the CLI (temp + rename, 0600) once the server listens. */
    public void publish(Path stateDir, Server server) throws IOException {
        int port = -1;
        for (Connector c : server.getConnectors()) {
            if (CONNECTOR.equals(c.getName()) && c instanceof ServerConnector sc) {
                port = sc.getLocalPort();
            }
        }
        if (port <= 0) {
            throw new IllegalStateException("the local connector is not listening");
        }
        String text = "# The running labdrop server, for the CLI on this host (docs/cli.md). Renewed at every start.\n"
                + "url = http://127.0.0.1:" + port + "\n"
                + "pid = " + ProcessHandle.current().pid() + "\n"
                + "key = " + encodedKey() + "\n";
        Path temp = Files.createTempFile(stateDir, FILE + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, stateDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Removes the file at a clean stop, unless a later server already wrote its own. */
    public void withdraw(Path stateDir) throws IOException {
        Optional<Endpoint> written = read(stateDir.resolve(FILE));
        if (written.isPresent() && written.get().key().equals(encodedKey())) {
            Files.deleteIfExists(stateDir.resolve(FILE));
        }
    }

    String encodedKey() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    /**
     * The caller of a call that arrived on {@code connector} with {@code Authorization: Local
     * <presented>}: an admin named by {@code as}; empty when the key is wrong or the call came
     * through another connector.
     */
    Optional<User> caller(String connector, String presented, String as) {
        if (!CONNECTOR.equals(connector) || !MessageDigest.isEqual(encodedKey().getBytes(StandardCharsets.US_ASCII),
                presented.strip().getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        if (as == null || as.isBlank() || as.length() > MAX_NAME || as.chars().anyMatch(Character::isISOControl)) {
            throw new BadInputException(AS_HEADER + " must name who acts (1-" + MAX_NAME
                    + " characters, no control characters), as labdrop --as USER does");
        }
        return Optional.of(new User(as.strip(), Role.ADMIN, true));
    }

    /** The running server as its file names it. */
    public record Endpoint(String url, long pid, String key) {
        /** The value of the Authorization header. */
        public String authorization() {
            return SCHEME + " " + key;
        }
    }

    /**
     * The server running on this host with {@code stateDir}, when its file can be read, its process
     * lives and its port accepts a connection; otherwise empty (no server, one that crashed, or a
     * caller not allowed to read the file), and the CLI opens the store itself.
     */
    public static Optional<Endpoint> running(Path stateDir) {
        Optional<Endpoint> endpoint;
        try {
            endpoint = read(stateDir.resolve(FILE));
        } catch (IOException e) {
            return Optional.empty();
        }
        if (endpoint.isEmpty() || !ProcessHandle.of(endpoint.get().pid()).map(ProcessHandle::isAlive).orElse(false)) {
            return Optional.empty();
        }
        String url = endpoint.get().url();
        int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return endpoint;
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Endpoint> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException | AccessDeniedException e) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = new StringReader(text)) {
            p.load(in);
        }
        String url = p.getProperty("url", "");
        String pid = p.getProperty("pid", "");
        String key = p.getProperty("key", "");
        if (!url.matches("http://127\\.0\\.0\\.1:\\d{1,5}") || !pid.matches("\\d{1,10}") || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Endpoint(url, Long.parseLong(pid), key));
    }
}
