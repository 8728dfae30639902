package labdrop.pkg;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import labdrop.drop.AtomicFiles;
import labdrop.error.BadInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Turns a source tree into a package tarball, reproducibly: entries sorted by path, owners
 * root/root (0/0), modes 0755 for folders and executables and 0644 otherwise, every mtime set to
 * one fixed instant ({@code SOURCE_DATE_EPOCH}, else 2000-01-01). The same tree gives the same
 * bytes. Symlinks must stay inside the tree; other special files are refused. Written atomically.
 */
public final class PackageBuilder {
    /** 2000-01-01T00:00:00Z: the default fixed mtime of every entry. */
    public static final long DEFAULT_MTIME = 946_684_800L;

    private final long mtimeSeconds;
    private final int threads;

    public PackageBuilder(long mtimeSeconds, int threads) {
        this.mtimeSeconds = mtimeSeconds;
        this.threads = threads;
    }

    /** What was built: the file, its size, SHA-256, MD5 and (bzip2) stream offsets. */
    public record Built(Path file, PackageDigest digest, List<Long> streamOffsets) {
    }

    public Built build(Path source, PackageFile pkg, Path outDir) throws IOException {
        Path src = source.toAbsolutePath().normalize();
        if (!Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException("package source " + source + " is not a folder; give the test's source tree");
        }
        List<Path> entries = entries(src);
        Path target = outDir.resolve(pkg.fileName());
        List<Long> offsets = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicFiles.write(target, out -> {
                OutputStream compressed = compressor(pkg.format(), out, pool, offsets);
                try (TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed)) {
                    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                    for (Path path : entries) {
                        writeEntry(tar, src, path);
                    }
                    tar.finish();
                }
            });
        } finally {
            pool.shutdownNow();
        }
        return new Built(target, PackageDigest.of(target), List.copyOf(offsets));
    }

    private OutputStream compressor(PackageFormat format, OutputStream out, ExecutorService pool, List<Long> offsets)
            throws IOException {
        return switch (format) {
            case BZ2 -> new MultiStreamBzip2Output(out, pool, threads, offsets);
            case ZST -> new ZstdCompressorOutputStream(out, 19);
            case GZ -> new GZIPOutputStream(out, 1 << 16);
            case XZ -> throw new BadInputException("labdrop pkg build writes bz2, zst or gz; xz packages are only read");
        };
    }

    private static List<Path> entries(Path src) throws IOException {
        try (Stream<Path> walk = Files.walk(src)) {
            List<Path> all = new ArrayList<>(walk.filter(p -> !p.equals(src)).toList());
            all.sort((a, b) -> relative(src, a).compareTo(relative(src, b)));
            for (Path p : all) {
                if (Files.isSymbolicLink(p)) {
                    Path link = Files.readSymbolicLink(p);
                    Path resolved = p.getParent().resolve(link).normalize();
                    if (link.isAbsolute() || !resolved.startsWith(src)) {
                        throw new BadInputException("package source: symlink " + relative(src, p) + " -> " + link
                                + " points outside " + src + "; a package may only link inside its own tree");
                    }
                } else if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BadInputException("package source: " + relative(src, p)
                            + " is a device, FIFO or socket; packages hold files, folders and inside links only");
                }
            }
            return all;
        }
    }

    private void writeEntry(TarArchiveOutputStream tar, Path src, Path path) throws IOException {
        String name = relative(src, path);
        TarArchiveEntry entry;
        if (Files.isSymbolicLink(path)) {
            entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
            entry.setMode(0120777);
        } else if (Files.isDirectory(path)) {
            entry = new TarArchiveEntry(name + "/");
            entry.setMode(040755);
        } else {
            entry = new TarArchiveEntry(name);
            entry.setSize(Files.size(path));
            boolean executable = Files.getPosixFilePermissions(path).contains(PosixFilePermission.OWNER_EXECUTE);
            entry.setMode(executable ? 0100755 : 0100644);
        }
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("root");
        entry.setGroupName("root");
        entry.setModTime(mtimeSeconds * 1000);
        tar.putArchiveEntry(entry);
        // Not entry.isFile(): Commons Compress calls every non-folder entry a file, symlinks too.
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
    }

    private static String relative(Path src, Path p) {
        return src.relativize(p).toString().replace('\\', '/');
    }
}
