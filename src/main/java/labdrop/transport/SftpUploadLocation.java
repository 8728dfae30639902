package labdrop.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import labdrop.error.BadInputException;
import labdrop.pkg.Manifest;
import labdrop.pkg.Uploader;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatExtensionInfo;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatPathExtension;
import org.apache.sshd.sftp.common.SftpException;

/**
 * An {@code sftp://user@host:port/path} upload location (Apache MINA SSHD client, key auth,
 * host key checked against a known-hosts file; {@code acceptNewHostKey} pins an unknown host's key
 * on first use, like OpenSSH's StrictHostKeyChecking=accept-new). Files are written under a
 * temporary name and renamed over with posix-rename@openssh.com, the index last.
 */
public final class SftpUploadLocation implements Uploader.Location, AutoCloseable {
    private final URI uri;
    private final String user;
    private final String path;
    private final Path identity;
    private final Path knownHosts;
    private final boolean acceptNewHostKey;
    private final Duration timeout;
    private SftpSession session;
    private SftpClient sftp;

    public SftpUploadLocation(URI uri, Path identity, Path knownHosts, boolean acceptNewHostKey, Duration timeout) {
        if (!"sftp".equals(uri.getScheme()) || uri.getHost() == null || uri.getUserInfo() == null
                || uri.getPath() == null || uri.getPath().isEmpty()) {
            throw new BadInputException("upload location '" + uri + "' is not sftp://user@host[:port]/path");
        }
        this.uri = uri;
        this.user = uri.getUserInfo();
        this.path = uri.getPath().endsWith("/") ? uri.getPath().substring(0, uri.getPath().length() - 1) : uri.getPath();
        this.identity = identity;
        this.knownHosts = knownHosts;
        this.acceptNewHostKey = acceptNewHostKey;
        this.timeout = timeout;
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public void preflight(long bytes) throws IOException {
        connect();
        try {
            SftpClient.Attributes attributes = sftp.stat(path);
            if (!attributes.isDirectory()) {
                throw new IOException(path + " is not a folder");
            }
        } catch (SftpException e) {
            throw new IOException(path + ": " + e.getMessage());
        }
        String probe = path + "/.labdrop-tmp-probe-" + UUID.randomUUID();
        try (OutputStream out = sftp.write(probe)) {
            out.write(0);
        } catch (SftpException e) {
            throw new IOException(path + " is not writable: " + e.getMessage());
        }
        sftp.remove(probe);
        OpenSSHStatPathExtension statvfs = sftp.getExtension(OpenSSHStatPathExtension.class);
        if (statvfs.isSupported()) {
            OpenSSHStatExtensionInfo info = statvfs.stat(path);
            long free = info.f_bavail * info.f_frsize;
            if (free < bytes + (16L << 20)) {
                throw new IOException(free + " bytes free on the server, " + (bytes + (16L << 20)) + " needed");
            }
        }
    }

    @Override
    public void put(Path pkg) throws IOException {
        String name = pkg.getFileName().toString();
        try (InputStream in = Files.newInputStream(pkg)) {
            putAtomically(name, in);
        }
    }

    @Override
    public void reindex(List<Manifest.Entry> uploaded) throws IOException {
        Manifest merged = Manifest.parse(readOrEmpty(Manifest.CHECKSUM_FILE), readOrEmpty(Manifest.MANIFEST_FILE),
                describe()).merge(uploaded);
        putAtomically(Manifest.MANIFEST_FILE,
                new ByteArrayInputStream(merged.manifestText().getBytes(StandardCharsets.UTF_8)));
        putAtomically(Manifest.CHECKSUM_FILE,
                new ByteArrayInputStream(merged.checksumText().getBytes(StandardCharsets.UTF_8)));
    }

    private void putAtomically(String name, InputStream content) throws IOException {
        session.putAtomically(path, name, content);
    }

    private String readOrEmpty(String name) throws IOException {
        byte[] bytes = session.readOrNull(path + "/" + name, 64L << 20);
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    private void connect() throws IOException {
        if (session == null) {
            session = SftpSession.open(uri, identity, knownHosts, acceptNewHostKey, timeout, timeout);
            sftp = session.sftp();
        }
    }

    @Override
    public void close() throws IOException {
        if (session != null) {
            session.close();
        }
        session = null;
        sftp = null;
    }
}
