package labdrop.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.function.Predicate;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.ResultFiles;
import labdrop.drop.SafeRead;

/**
 * {@code file:///path/to/drop/HOST}: a local or NFS folder, or a lab gateway's local drop that it keeps
 * in step. Links are never followed; results are copied under a temporary name and renamed.
 */
final class FileTransport implements DropTransport {
    private final Path hostDir;

    FileTransport(Path hostDir) {
        this.hostDir = hostDir;
    }

    @Override
    public String describe() {
        return hostDir.toUri().toString();
    }

    @Override
    public void pull(Path mirror) throws IOException {
        if (!Files.isDirectory(hostDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(hostDir + " is not a folder; check drop.url and that the drop is mounted");
        }
        Mirror.reset(mirror);
        copyFolder(DropLayout.CONFIG, mirror, name -> true);
        copyFolder(DropLayout.CURRENT, mirror, name -> name.endsWith(".xml"));
    }

    private void copyFolder(String folder, Path mirror, Predicate<String> wanted)
            throws IOException {
        Path dir = hostDir.resolve(folder);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || !wanted.test(name)
                        || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    Files.write(mirror.resolve(folder).resolve(name), SafeRead.read(hostDir, file, MAX_FILE_BYTES));
                } catch (NoSuchFileException gone) {
                    // removed between the listing and the read: it is simply not there any more
                }
            }
        }
    }

    @Override
    public void writeState(byte[] xml) throws IOException {
        AtomicFiles.write(hostDir.resolve(DropLayout.STATE_FILE), xml);
    }

    @Override
    public void pushResults(String requestId, Path localDir) throws IOException {
        Path target = hostDir.resolve(DropLayout.RESULTS).resolve(requestId);
        List<ResultFiles.LocalFile> files = ResultFiles.of(localDir);
        for (ResultFiles.LocalFile file : files) {
            Path dest = target.resolve(file.relative());
            if (Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS) && Files.size(dest) == file.size()
                    && Files.getLastModifiedTime(dest, LinkOption.NOFOLLOW_LINKS).equals(file.modified())) {
                continue;
            }
            Files.createDirectories(dest.getParent());
            Path temp = dest.resolveSibling(AtomicFiles.TEMP_PREFIX + dest.getFileName());
            Files.copy(file.path(), temp, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(temp, FileTime.from(file.modified().toInstant()));
            Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void removeRequest(String requestId) throws IOException {
        Files.deleteIfExists(hostDir.resolve(DropLayout.CURRENT).resolve(requestId + ".xml"));
    }

    @Override
    public void close() {
    }
}
