package labdrop.ssh;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import labdrop.config.ServerConfig;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded SSH server (Apache MINA SSHD): one port for SFTP and {@code rsync --server}, key
 * logins only (the user name is a host or a lab), each login jailed to its host folder (or its
 * lab's host folders) with the SUT write rules of {@link Jail}; a lab login may also fetch packages
 * ({@link PackageCommand}) and long-poll its lab's doorbell ({@link DoorbellCommand}). No shell, no pty use, no other exec, no port, agent or X11 forwarding. The ed25519 host key is generated once and kept in
 * OpenSSH format (never through Java serialisation).
 */
public final class EmbeddedSshServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSshServer.class);
    /** How often open sessions are checked against the store: a removed key's session ends within this. */
    static final Duration REVOKE_EVERY = Duration.ofSeconds(2);
    private final SshServer sshd;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private final AuditLog audit;
    private final Sessions sessions;
    private final ScheduledExecutorService revoker;
    private final Logins keys;

    public EmbeddedSshServer(ServerConfig.Ssh config, Path dropRoot, Logins keys, Clock clock, MeterRegistry registry)
            throws IOException {
        this(config, dropRoot, GatewayServices.NONE, host -> { }, keys, clock, registry);
    }

    /**
     * {@code gateways}: what a lab login may ask for besides its folders (packages, the lab's
     * doorbell); {@code written}: told the host each time a SUT (or a lab's gateway) has finished
     * writing its state_file or a result.xml through this server (an SFTP close or rename, the end
     * of an rsync push), so the server ingests it at once rather than when its watcher sees it.
     */
    public EmbeddedSshServer(ServerConfig.Ssh config, Path dropRoot, GatewayServices gateways, Consumer<String> written,
                             Logins keys, Clock clock, MeterRegistry registry)
            throws IOException {
        this.audit = new AuditLog(config.auditLog(), config.auditMaxBytes(), config.auditKeep(), clock);
        this.sessions = new Sessions(dropRoot, audit, config.maxSessionsPerKey(), config.quotaBytes(), config.quotaFiles(),
                registry);
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost(config.host());
        sshd.setPort(config.port());
        sshd.setKeyPairProvider(new FileKeyPairProvider(hostKey(config.hostKey())));
        List<BuiltinDHFactories> kex = config.postQuantum()
                ? List.of(BuiltinDHFactories.mlkem768x25519, BuiltinDHFactories.sntrup761x25519_openssh,
                        BuiltinDHFactories.sntrup761x25519, BuiltinDHFactories.curve25519, BuiltinDHFactories.curve25519_libssh,
                        BuiltinDHFactories.ecdhp256)
                : List.of(BuiltinDHFactories.curve25519, BuiltinDHFactories.curve25519_libssh, BuiltinDHFactories.ecdhp256);
        sshd.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(false, kex, ServerBuilder.DH2KEX));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.setPublickeyAuthenticator((user, key, session) -> {
            var login = keys.authenticate(user, key);
            if (login.isEmpty()) {
                sessions.auditRefusedLogin(session, user, KeyUtils.getFingerPrint(key),
                        "no such key for host or lab '" + user + "'");
                return false;
            }
            return sessions.admit(session, login.get());
        });
        sshd.addSessionListener(new SessionListener() {
            @Override
            public void sessionEvent(Session session, Event event) {
                if (event == Event.Authenticated && session instanceof ServerSession server) {
                    sessions.authenticated(server);
                }
            }

            @Override
            public void sessionClosed(Session session) {
                if (session instanceof ServerSession server) {
                    sessions.closed(server);
                }
            }
        });
        revoker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labdrop-ssh-revoke");
            t.setDaemon(true);
            return t;
        });
        this.keys = keys;
        sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        sshd.setAgentFactory(null);
        sshd.setShellFactory(null);
        BiConsumer<String, String> labSynced = gateways.doorbell() == null ? (host, lab) -> { }
                : gateways.doorbell()::gatewaySynced;
        sshd.setCommandFactory((channel, command) -> {
            if (PackageCommand.matches(command)) {
                return new PackageCommand(command, sessions, gateways.repositories());
            }
            if (DoorbellCommand.matches(command)) {
                return new DoorbellCommand(command, sessions, gateways.doorbell());
            }
            return new RsyncCommand(command, sessions, config.rsync(), labSynced, written);
        });
        SftpGuard guard = new SftpGuard(sessions, labSynced, written);
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder().withFileSystemAccessor(guard).build();
        sftp.addSftpEventListener(guard);
        sshd.setSubsystemFactories(List.of(sftp));
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(dropRoot) {
            @Override
            public Path getUserHomeDir(SessionContext session) throws IOException {
                Login login = session.getAttribute(Sessions.LOGIN);
                if (login == null) {
                    throw new AccessDeniedException("not logged in");
                }
                return login.isLab() ? dropRoot : dropRoot.resolve(login.hosts().get(0));
            }
        });
    }

    /** Loads the host key, generating an ed25519 key (mode 0600, OpenSSH format) on first start. */
    static Path hostKey(Path file) throws IOException {
        return keyPair(file, "labdrop host key");
    }

    /**
     * An ed25519 key pair in OpenSSH format at {@code file} (mode 0600) and {@code file.pub},
     * generated when missing (the server's host key; the demo's agents' identities).
     */
    public static Path keyPair(Path file, String comment) throws IOException {
        if (Files.exists(file)) {
            return file;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        KeyPair pair;
        try {
            pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate the SSH host key: " + e.getMessage(), e);
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the SSH host key: " + e.getMessage(), e);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        StringBuilder pub = new StringBuilder();
        PublicKeyEntry.appendPublicKeyEntry(pub, pair.getPublic());
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"), pub + " labdrop\n");
        LOG.info("generated the SSH key {} ({})", file, KeyUtils.getFingerPrint(pair.getPublic()));
        return file;
    }

    public void start() throws IOException {
        sshd.start();
        revoker.scheduleWithFixedDelay(this::closeRevoked, REVOKE_EVERY.toMillis(), REVOKE_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("SSH server (SFTP, rsync) listening on {}:{}", sshd.getHost(), port());
    }

    public int port() {
        return sshd.getPort();
    }

    /**
     * The readiness probe: connects to the listening port (on loopback when bound to every
     * address) and reads the server's identification line. Null when it answers, else why not.
     */
    public String notAnswering() {
        String host = sshd.getHost() == null || sshd.getHost().isBlank() || sshd.getHost().equals("0.0.0.0")
                || sshd.getHost().equals("::") ? "127.0.0.1" : sshd.getHost();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port()), (int) PROBE_TIMEOUT.toMillis());
            socket.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
            byte[] banner = socket.getInputStream().readNBytes(8);
            return new String(banner, StandardCharsets.US_ASCII).startsWith("SSH-2.0") ? null
                    : "the SSH server on " + host + ":" + port() + " did not identify itself as SSH-2.0";
        } catch (IOException e) {
            return "the SSH server does not answer on " + host + ":" + port() + " (" + e.getMessage() + ")";
        }
    }

    /** Closes the open sessions of removed keys and retired hosts (every {@link #REVOKE_EVERY}). */
    private void closeRevoked() {
        try {
            int closed = sessions.closeRevoked(keys::stillValid);
            if (closed > 0) {
                LOG.info("closed {} SSH sessions whose key was removed or whose host was retired", closed);
            }
        } catch (RuntimeException e) {
            LOG.warn("checking open SSH sessions failed; retried in {}", REVOKE_EVERY, e);
        }
    }

    @Override
    public void close() throws IOException {
        revoker.shutdownNow();
        try {
            sshd.stop(true);
        } finally {
            audit.close();
        }
    }
}
