package labdrop.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import labdrop.drop.Names;
import labdrop.transport.SftpSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code sftp://LAB@SERVER:PORT/}: one MINA SSHD session, SFTP for files, exec channels for the lab commands. */
final class SftpUpstream implements Upstream {
    private static final Logger LOG = LoggerFactory.getLogger(SftpUpstream.class);
    private final SftpSession session;
    /** Remote folders known to exist (created or checked once per session). */
    private final Set<String> folders = new HashSet<>();

    SftpUpstream(SftpSession session) {
        this.session = session;
    }

    @Override
    public List<String> hosts() throws IOException {
        return list("/").stream().filter(Entry::folder).map(Entry::name).filter(Names::isValid).sorted().toList();
    }

    @Override
    public List<Entry> list(String folder) throws IOException {
        List<Entry> out = new ArrayList<>();
        try {
            for (SftpClient.DirEntry e : session.sftp().readDir(folder)) {
                if (e.getFilename().equals(".") || e.getFilename().equals("..")) {
                    continue;
                }
                SftpClient.Attributes a = e.getAttributes();
                out.add(new Entry(e.getFilename(), a.isRegularFile(), a.isDirectory(), a.getSize(),
                        a.getModifyTime() == null ? 0 : a.getModifyTime().toMillis()));
            }
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw e;
            }
        }
        return out;
    }

    @Override
    public byte[] read(String path, long max) throws IOException {
        return session.readOrNull(path, max);
    }

    @Override
    public void put(String folder, String name, Path content) throws IOException {
        if (folders.add(folder)) {
            session.mkdirs(folder);
        }
        try (InputStream in = Files.newInputStream(content)) {
            session.putAtomically(folder, name, in);
        }
    }

    /** Only the gateway writes its hosts' folders on the server, so every hidden file there is its own temporary. */
    @Override
    public void sweep(String folder) throws IOException {
        for (Entry entry : list(folder)) {
            if (entry.name().startsWith(".") && entry.file()) {
                remove(folder + "/" + entry.name());
            }
        }
    }

    @Override
    public void remove(String path) throws IOException {
        try {
            session.sftp().remove(path);
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw e;
            }
        }
    }

    @Override
    public Exec exec(String command, OutputStream out, Duration deadline) throws IOException {
        SftpSession.Exec done = session.exec(command, out, deadline);
        return new Exec(done.status(), done.stderr());
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (IOException e) {
            LOG.debug("closing the session to the server: {}", e.getMessage());
        }
    }
}
