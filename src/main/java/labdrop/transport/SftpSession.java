package labdrop.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import labdrop.drop.AtomicFiles;
import labdrop.drop.Names;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * One logged-in SFTP session (Apache MINA SSHD client): key authentication, the server's key
 * checked against a known-hosts file ({@code acceptNewHostKey} pins an unknown key on first use,
 * like OpenSSH's StrictHostKeyChecking=accept-new; a changed key is always refused), and atomic
 * replacement of files through posix-rename@openssh.com.
 */
public final class SftpSession implements AutoCloseable {
    private final SshClient client;
    private final ClientSession session;
    private final SftpClient sftp;

    private SftpSession(SshClient client, ClientSession session, SftpClient sftp) {
        this.client = client;
        this.session = session;
        this.sftp = sftp;
    }

    /** Logs in as the URI's user at its host and port (22 when none). */
    public static SftpSession open(URI uri, Path identity, Path knownHosts, boolean acceptNewHostKey,
                                   Duration connectTimeout, Duration ioTimeout) throws IOException {
        String user = uri.getUserInfo();
        Names.require("ssh user", user);
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(
                acceptNewHostKey ? AcceptAllServerKeyVerifier.INSTANCE : RejectAllServerKeyVerifier.INSTANCE, knownHosts));
        client.setKeyIdentityProvider(new FileKeyPairProvider(identity));
        CoreModuleProperties.IDLE_TIMEOUT.set(client, ioTimeout.multipliedBy(2));
        client.start();
        ClientSession session = null;
        try {
            session = client.connect(user, uri.getHost(), uri.getPort() < 0 ? 22 : uri.getPort())
                    .verify(connectTimeout).getSession();
            session.auth().verify(connectTimeout);
            SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
            return new SftpSession(client, session, sftp);
        } catch (IOException | RuntimeException e) {
            if (session != null) {
                session.close(true);
            }
            client.stop();
            throw new IOException("cannot log in to " + uri.getHost() + ":" + uri.getPort() + " as " + user
                    + " with key " + identity + " (server key checked against " + knownHosts + "): " + e.getMessage(), e);
        }
    }

    public SftpClient sftp() {
        return sftp;
    }

    /** Writes {@code dir/name} under a temporary name in the same folder, then renames it over the old one. */
    public void putAtomically(String dir, String name, InputStream content) throws IOException {
        String target = dir + "/" + name;
        String temp = dir + "/" + AtomicFiles.TEMP_PREFIX + name + "-" + UUID.randomUUID();
        try (OutputStream out = sftp.write(temp)) {
            content.transferTo(out);
        }
        OpenSSHPosixRenameExtension rename = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (!rename.isSupported()) {
            sftp.remove(temp);
            throw new IOException("the server lacks posix-rename@openssh.com, so files cannot be replaced atomically");
        }
        rename.posixRename(temp, target);
    }

    /** The file's bytes, or null when it does not exist; a file over {@code max} bytes is an error. */
    public byte[] readOrNull(String path, long max) throws IOException {
        try (InputStream in = sftp.read(path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                if (out.size() > max) {
                    throw new IOException(path + " is larger than " + max + " bytes");
                }
            }
            return out.toByteArray();
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Runs {@code command} on the server over this login, on a channel of the same connection,
     * with its standard output written to {@code out}. Returns the exit status and what the
     * command wrote to standard error (at most 4 KiB); gives up after {@code deadline}.
     */
    public Exec exec(String command, OutputStream out, Duration deadline) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(new CappedStream(err, 4096));
            channel.open().verify(deadline);
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), deadline);
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                throw new IOException("'" + command + "' did not finish within " + deadline);
            }
            Integer status = channel.getExitStatus();
            return new Exec(status == null ? -1 : status, err.toString(StandardCharsets.UTF_8).strip());
        }
    }

    /** How a command run by {@link #exec} ended. */
    public record Exec(int status, String stderr) {
    }

    /** Keeps the first {@code cap} bytes written to it and drops the rest. */
    private static final class CappedStream extends OutputStream {
        private final ByteArrayOutputStream out;
        private final int cap;

        CappedStream(ByteArrayOutputStream out, int cap) {
            this.out = out;
            this.cap = cap;
        }

        @Override
        public void write(int b) {
            if (out.size() < cap) {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(b, off, Math.max(0, Math.min(len, cap - out.size())));
        }
    }

    /** Creates {@code path} and its parents below an existing folder; existing folders are fine. */
    public void mkdirs(String path) throws IOException {
        StringBuilder sofar = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                sofar.append(sofar.length() == 0 ? "/" : "");
                continue;
            }
            sofar.append(sofar.length() == 0 || sofar.charAt(sofar.length() - 1) == '/' ? "" : "/").append(part);
            try {
                if (!sftp.stat(sofar.toString()).isDirectory()) {
                    throw new IOException(sofar + " exists and is not a folder");
                }
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
                sftp.mkdir(sofar.toString());
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            sftp.close();
            session.close();
        } finally {
            client.stop();
        }
    }
}
