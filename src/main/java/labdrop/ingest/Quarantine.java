package labdrop.ingest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import labdrop.drop.DropLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <drop>/.quarantine/<host>/}: refused SUT files kept for the admin, newest first, within
 * a cap per host and a cap for the whole drop; older files are deleted, and a file larger than a
 * host's cap keeps only its beginning. The SSH quota counts a host's quarantine as its own.
 */
final class Quarantine {
    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    private final DropLayout drop;
    private final long perHostBytes;
    private final long totalBytes;

    private record Kept(Path file, long size, long modified) {
    }

    Quarantine(DropLayout drop, long perHostBytes, long totalBytes) {
        this.drop = drop;
        this.perHostBytes = perHostBytes;
        this.totalBytes = totalBytes;
    }

    /** Moves {@code file} (already checked to be inside the drop through real folders) to {@code target}, then prunes. */
    void keep(Path file, String host, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        if (Files.size(target) > perHostBytes) {
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
                channel.truncate(perHostBytes);
            }
            LOG.info("host '{}': quarantined {} cut to its first {} bytes (ingest.quarantine-bytes-per-host)", host,
                    target.getFileName(), perHostBytes);
        }
        prune(files(drop.quarantineDir(host)), perHostBytes, "ingest.quarantine-bytes-per-host");
        prune(files(drop.root().resolve(DropLayout.QUARANTINE)), totalBytes, "ingest.quarantine-bytes");
    }

    /** Deletes the oldest files until the rest fit in {@code cap}. */
    private static void prune(List<Kept> files, long cap, String key) throws IOException {
        long sum = 0;
        for (Kept kept : files) {
            sum += kept.size();
            if (sum > cap) {
                Files.deleteIfExists(kept.file());
                LOG.info("deleted the quarantined {} to keep {} ({} bytes)", kept.file(), key, cap);
            }
        }
    }

    /** Regular files under {@code dir}, newest first. */
    private static List<Kept> files(Path dir) throws IOException {
        List<Kept> files = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return files;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                try {
                    files.add(new Kept(p, Files.size(p), Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis()));
                } catch (IOException gone) {
                    // deleted meanwhile
                }
            }
        }
        files.sort(Comparator.comparingLong(Kept::modified).reversed().thenComparing(k -> k.file().toString(),
                Comparator.reverseOrder()));
        return files;
    }
}
