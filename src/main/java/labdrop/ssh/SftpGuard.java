package labdrop.ssh;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import labdrop.drop.DropLayout;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * Enforces the {@link Jail} on SFTP: every path the client names is resolved through
 * {@link #resolveLocalFilePath} (anything outside the login's folders is "permission denied", so
 * it cannot even be stat'ed), a lab's root listing shows only its hosts, and every write, rename,
 * removal, folder creation and attribute change is checked (and audited) before it happens.
 * Links are always refused; modes are stored without group or world write. Quotas are checked on every write.
 */
final class SftpGuard implements SftpEventListener, SftpFileSystemAccessor {
    private final Sessions sessions;
    private final BiConsumer<String, String> labSynced;
    private final Consumer<String> written;

    /**
     * {@code labSynced}: told (host, lab) each time a lab's gateway lists a host's current/, i.e.
     * syncs it; {@code written}: told the host each time its state_file or a result.xml is closed
     * after a write, or renamed into place.
     */
    SftpGuard(Sessions sessions, BiConsumer<String, String> labSynced, Consumer<String> written) {
        this.sessions = sessions;
        this.labSynced = labSynced;
        this.written = written;
    }

    private static String jailPath(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }

    private AccessDeniedException deny(ServerSession session, String what, String path, String why) {
        sessions.audit(session, "refused", what + " " + path + ": " + why);
        return new AccessDeniedException(path, null, why);
    }

    @Override
    public void initialized(ServerSession session, int version) {
        sessions.metrics().started(SshMetrics.SFTP);
    }

    @Override
    public void read(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                     int dataOffset, int dataLen, int readLen, Throwable thrown) {
        sessions.metrics().sent(SshMetrics.SFTP, readLen);
    }

    @Override
    public void written(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                        int dataOffset, int dataLen, Throwable thrown) {
        if (thrown == null) {
            sessions.metrics().received(SshMetrics.SFTP, dataLen);
        }
    }

    @Override
    public Path resolveLocalFilePath(SftpSubsystemProxy subsystem, Path rootDir, String remotePath) throws IOException {
        ServerSession session = subsystem.getServerSession();
        Jail jail = sessions.jail(session);
        Path resolved = SftpFileSystemAccessor.super.resolveLocalFilePath(subsystem, rootDir, remotePath);
        if (!jail.mayRead(jailPath(resolved))) {
            throw deny(session, "reach", remotePath, "outside this login's folders");
        }
        return resolved;
    }

    @Override
    public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir,
                                               String handle, LinkOption... options) throws IOException {
        DirectoryStream<Path> all = SftpFileSystemAccessor.super.openDirectory(subsystem, dirHandle, dir, handle, options);
        Jail jail = sessions.jail(subsystem.getServerSession());
        if (jail.login().isLab()) {
            jail.locate(jailPath(dir)).filter(where -> where.inHost().equals(DropLayout.CURRENT))
                    .ifPresent(where -> labSynced.accept(where.host(), jail.login().user()));
        }
        if (jail.rootNames() == null || !Jail.normalize(jailPath(dir)).isEmpty()) {
            return all;
        }
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                return StreamSupport.stream(all.spliterator(), false)
                        .filter(p -> jail.rootNames().contains(p.getFileName().toString())).iterator();
            }

            @Override
            public void close() throws IOException {
                all.close();
            }
        };
    }

    @Override
    public void opening(ServerSession session, String remoteHandle, Handle localHandle) throws IOException {
        String path = jailPath(localHandle.getFile());
        Jail jail = sessions.jail(session);
        if (localHandle instanceof FileHandle file) {
            if (writes(file.getOpenOptions())) {
                if (!jail.mayWrite(path)) {
                    throw deny(session, "write", path, "a SUT writes only state_file, temporary files beside it and results/");
                }
                if (Files.isSymbolicLink(localHandle.getFile())) {
                    throw deny(session, "write", path, "it is a symbolic link");
                }
                boolean creates = !Files.exists(localHandle.getFile(), LinkOption.NOFOLLOW_LINKS);
                reserve(session, jail, "write", path, creates ? 1 : 0, 0);
                sessions.audit(session, "write", path);
                return;
            }
        }
        if (!jail.mayRead(path)) {
            throw deny(session, "read", path, "outside this login's folders");
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        if (thrown == null && localHandle instanceof FileHandle file && writes(file.getOpenOptions())) {
            completed(session, localHandle.getFile());
        }
    }

    @Override
    public void moved(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts, Throwable thrown) {
        if (thrown == null) {
            completed(session, dstPath);
        }
    }

    /** A write ended at {@code path}: the host is told when it is its state_file or a result.xml. */
    private void completed(ServerSession session, Path path) {
        try {
            sessions.jail(session).locate(jailPath(path)).filter(where -> where.host() != null && ingested(where.inHost()))
                    .ifPresent(where -> written.accept(where.host()));
        } catch (AccessDeniedException loggedOut) {
            // a session without a login wrote nothing: every write was refused
        }
    }

    /** True for what the server ingests: {@code state_file} and {@code results/<id>/result.xml}. */
    static boolean ingested(String inHost) {
        String path = Jail.normalize(inHost);
        if (path == null) {
            return false;
        }
        String[] parts = path.split("/");
        return parts.length == 1 && parts[0].equals(DropLayout.STATE_FILE)
                || parts.length == 3 && parts[0].equals(DropLayout.RESULTS) && parts[2].equals(DropLayout.RESULT_FILE);
    }

    private static boolean writes(Set<StandardOpenOption> opts) {
        return opts.contains(StandardOpenOption.WRITE) || opts.contains(StandardOpenOption.APPEND)
                || opts.contains(StandardOpenOption.CREATE) || opts.contains(StandardOpenOption.CREATE_NEW)
                || opts.contains(StandardOpenOption.TRUNCATE_EXISTING);
    }

    @Override
    public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
                        int dataOffset, int dataLen) throws IOException {
        String path = jailPath(localHandle.getFile());
        Jail jail = sessions.jail(session);
        long size = Files.size(localHandle.getFile());
        long growth = Math.max(0, offset + dataLen - size);
        reserve(session, jail, "write", path, 0, growth);
    }

    @Override
    public void moving(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts)
            throws IOException {
        Jail jail = sessions.jail(session);
        String src = jailPath(srcPath);
        String dst = jailPath(dstPath);
        if (!jail.mayWrite(src) || !jail.mayWrite(dst)) {
            throw deny(session, "rename", src + " -> " + dst, "a SUT renames only its own temporary files and results");
        }
        sessions.audit(session, "rename", src + " -> " + dst);
    }

    @Override
    public void removing(ServerSession session, Path path, boolean isDirectory) throws IOException {
        String p = jailPath(path);
        if (!sessions.jail(session).mayRemove(p)) {
            throw deny(session, "remove", p, "a SUT removes only current/*.xml, its temporaries and results");
        }
        sessions.audit(session, "remove", p);
    }

    @Override
    public void creating(ServerSession session, Path path, Map<String, ?> attrs) throws IOException {
        String p = jailPath(path);
        Jail jail = sessions.jail(session);
        if (!jail.mayMakeFolder(p)) {
            throw deny(session, "mkdir", p, "a SUT creates folders only under results/");
        }
        reserve(session, jail, "mkdir", p, 1, 0);
        sessions.audit(session, "mkdir", p);
    }

    /** Reserves room in the host's quota, or refuses (and audits) the operation with the quota's reason. */
    private void reserve(ServerSession session, Jail jail, String what, String path, int files, long bytes)
            throws IOException {
        try {
            sessions.quota(session, jail, path).reserve(files, bytes);
        } catch (AccessDeniedException e) {
            throw deny(session, what, path, e.getReason());
        }
    }

    @Override
    public void linking(ServerSession session, Path source, Path target, boolean symLink) throws IOException {
        throw deny(session, symLink ? "symlink" : "hardlink", jailPath(source) + " -> " + jailPath(target),
                "links are never allowed in the drop");
    }

    @Override
    public void modifyingAttributes(ServerSession session, Path path, Map<String, ?> attrs) throws IOException {
        String p = jailPath(path);
        Jail jail = sessions.jail(session);
        if (!jail.mayWrite(p) && !jail.mayMakeFolder(p)) {
            throw deny(session, "setstat", p, "a SUT changes attributes only of what it may write");
        }
        // "permissions" is a set of rwx bits (java.nio cannot express setuid, setgid or sticky).
        if (attrs.keySet().stream().anyMatch(k -> !k.equals("lastModifiedTime") && !k.equals("lastAccessTime")
                && !k.equals("permissions") && !k.equals("size"))) {
            throw deny(session, "setstat", p, "only times, rwx permissions and size may be set (never owners or groups)");
        }
    }

    /**
     * Stores rwx modes without group and world write, as rsync pushes get {@code --chmod=go-w}: an
     * OpenSSH {@code mkdir} asks for 0777 and a {@code put} copies the local mode, and both must
     * still work.
     */
    @Override
    public void setFilePermissions(SftpSubsystemProxy subsystem, Path file, Set<PosixFilePermission> perms,
                                   LinkOption... options) throws IOException {
        Set<PosixFilePermission> safe = EnumSet.noneOf(PosixFilePermission.class);
        safe.addAll(perms);
        safe.removeAll(EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE));
        SftpFileSystemAccessor.super.setFilePermissions(subsystem, file, safe, options);
    }
}
