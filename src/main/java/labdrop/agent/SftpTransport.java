package labdrop.agent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import labdrop.drop.DropLayout;
import labdrop.drop.ResultFiles;
import labdrop.transport.SftpSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * {@code sftp://HOST@SERVER:PORT/PATH}: the host folder over SFTP (Apache MINA SSHD client). One
 * session per poll, opened on first use and closed with the transport. Pushed files go through a
 * temporary name and posix-rename; a file is sent again only when its size or mtime changed since
 * this agent last sent it.
 */
final class SftpTransport implements DropTransport {
    private final URI uri;
    private final String base;
    private final AgentConfig.Ssh ssh;
    private final Map<String, String> pushed = new HashMap<>();
    private SftpSession session;

    SftpTransport(URI uri, AgentConfig.Ssh ssh) {
        this.uri = uri;
        String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
        this.base = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.ssh = ssh;
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    private SftpSession session() throws IOException {
        if (session == null) {
            session = SftpSession.open(uri, ssh.identity(), ssh.knownHosts(), ssh.acceptNewHostKey(),
                    ssh.connectTimeout(), ssh.timeout());
        }
        return session;
    }

    private String remote(String relative) {
        return base + "/" + relative;
    }

    @Override
    public void pull(Path mirror) throws IOException {
        SftpSession s = session();
        Mirror.reset(mirror);
        copyFolder(s, DropLayout.CONFIG, mirror, false);
        copyFolder(s, DropLayout.CURRENT, mirror, true);
    }

    private void copyFolder(SftpSession s, String folder, Path mirror, boolean xmlOnly) throws IOException {
        Iterable<SftpClient.DirEntry> entries;
        try {
            entries = s.sftp().readDir(remote(folder));
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return;
            }
            throw e;
        }
        for (SftpClient.DirEntry entry : entries) {
            String name = entry.getFilename();
            if (name.startsWith(".") || (xmlOnly && !name.endsWith(".xml")) || !entry.getAttributes().isRegularFile()
                    || !name.matches("[A-Za-z0-9._-]{1,255}")) {
                continue;
            }
            byte[] bytes = s.readOrNull(remote(folder + "/" + name), MAX_FILE_BYTES);
            if (bytes != null) {
                Files.write(mirror.resolve(folder).resolve(name), bytes);
            }
        }
    }

    @Override
    public void writeState(byte[] xml) throws IOException {
        session().putAtomically(base, DropLayout.STATE_FILE, new ByteArrayInputStream(xml));
    }

    @Override
    public void pushResults(String requestId, Path localDir) throws IOException {
        SftpSession s = session();
        String target = remote(DropLayout.RESULTS + "/" + requestId);
        Set<String> made = new HashSet<>();
        for (ResultFiles.LocalFile file : ResultFiles.of(localDir)) {
            String key = requestId + "/" + file.relative();
            String stamp = file.stamp();
            if (stamp.equals(pushed.get(key))) {
                continue;
            }
            String relative = file.relative().replace('\\', '/');
            int slash = relative.lastIndexOf('/');
            String dir = slash < 0 ? target : target + "/" + relative.substring(0, slash);
            if (made.add(dir)) {
                s.mkdirs(dir);
            }
            try (InputStream in = Files.newInputStream(file.path())) {
                s.putAtomically(dir, relative.substring(slash + 1), in);
            }
            pushed.put(key, stamp);
        }
    }

    @Override
    public void removeRequest(String requestId) throws IOException {
        try {
            session().sftp().remove(remote(DropLayout.CURRENT + "/" + requestId + ".xml"));
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw e;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
