package labdrop.pkg;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import labdrop.drop.AtomicFiles;
import labdrop.error.BadInputException;

/**
 * Publishes packages to every upload location: checks each location's writability and free space
 * first, then writes every package and after them the index, atomically, location by location.
 * Any failure stops with the location named (Autotest only logs upload failures).
 */
public final class Uploader {
    /** Extra room asked for beyond the packages themselves (index files, filesystem slack). */
    static final long MARGIN = 16L << 20;

    /** One place packages are uploaded to. */
    public interface Location {
        String describe();

        /** Throws naming the location when it cannot take {@code bytes} more bytes. */
        void preflight(long bytes) throws IOException;

        void put(Path pkg) throws IOException;

        /** Rewrites packages.checksum and packages.manifest to include {@code uploaded}. */
        void reindex(List<Manifest.Entry> uploaded) throws IOException;
    }

    /** A local (or NFS-mounted) folder. */
    public static Location folder(Path dir) {
        return new Location() {
            @Override
            public String describe() {
                return dir.toString();
            }

            @Override
            public void preflight(long bytes) throws IOException {
                Files.createDirectories(dir);
                if (!Files.isWritable(dir)) {
                    throw new IOException("not writable");
                }
                long free = Files.getFileStore(dir).getUsableSpace();
                if (free < bytes + MARGIN) {
                    throw new IOException(free + " bytes free, " + (bytes + MARGIN) + " needed");
                }
            }

            @Override
            public void put(Path pkg) throws IOException {
                AtomicFiles.write(dir.resolve(pkg.getFileName().toString()), out -> Files.copy(pkg, out));
            }

            @Override
            public void reindex(List<Manifest.Entry> uploaded) throws IOException {
                new Repository(dir).index();
            }
        };
    }

    /** Uploads {@code packages} to {@code locations}; returns the entries written. */
    public List<Manifest.Entry> upload(List<Path> packages, List<Location> locations) throws IOException {
        List<Manifest.Entry> entries = new ArrayList<>();
        long bytes = 0;
        for (Path pkg : packages) {
            PackageFile.parse(pkg.getFileName().toString());
            if (!Files.isRegularFile(pkg)) {
                throw new BadInputException("package " + pkg + " is not a file; build it with labdrop pkg build");
            }
            PackageDigest d = PackageDigest.of(pkg);
            List<Long> offsets = pkg.toString().endsWith(PackageFormat.BZ2.suffix()) ? Bzip2Streams.offsets(pkg) : List.of();
            entries.add(new Manifest.Entry(pkg.getFileName().toString(), d.size(), d.sha256(), d.md5(), offsets));
            bytes += d.size();
        }
        for (Location location : locations) {
            try {
                location.preflight(bytes);
            } catch (IOException e) {
                throw new UploadFailedException(location.describe(), "before anything was written: " + why(e));
            }
        }
        for (Location location : locations) {
            try {
                for (Path pkg : packages) {
                    location.put(pkg);
                }
                location.reindex(entries);
            } catch (IOException e) {
                throw new UploadFailedException(location.describe(), why(e));
            }
        }
        return entries;
    }

    /** An I/O failure as a user reads it: the file and the operating system's reason. */
    static String why(IOException e) {
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason()
                    : e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase());
        }
        return e.getMessage();
    }
}
