package labdrop.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The server's state folder holds secrets (the store, the SSH host key, passwords, doorbell
 * tokens): it is never open to other users (no "other" bits, no group write; the package's
 * 0750 labdrop group is kept), the embedded store's folder is 0700 and its files 0600.
 */
final class StateDir {
    private static final Set<PosixFilePermission> OPEN = EnumSet.of(PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.GROUP_WRITE);

    private StateDir() {
    }

    /** Creates or closes the state folder, and the embedded store's folder {@code db} in it (0700). */
    static void prepare(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(stateDir);
        if (perms.removeAll(OPEN)) {
            Files.setPosixFilePermissions(stateDir, perms);
        }
        Path db = stateDir.resolve("db");
        if (!Files.exists(db, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(db, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else if (Files.isDirectory(db, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** After the embedded store opened its files: each 0600. */
    static void closeStoreFiles(Path stateDir) throws IOException {
        Path db = stateDir.resolve("db");
        if (!Files.isDirectory(db, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.list(db)) {
            for (Path file : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        }
    }
}
