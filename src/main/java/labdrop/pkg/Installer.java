package labdrop.pkg;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import labdrop.drop.AtomicFiles;
import labdrop.error.BadInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Installs a verified package tarball into its folder under an install root ({@code tests/<name>},
 * {@code profilers/<name>}, {@code deps/<name>}, {@code client}). Skips the work when the folder's
 * {@code .checksum} already names the tarball's SHA-256; otherwise unpacks into a temporary folder
 * beside the target and swaps it in, so a refused or failed install leaves the previous one
 * untouched. Refused: absolute names, {@code ..}, hard links, devices, FIFOs, setuid/setgid bits,
 * symlinks that resolve outside the target, anything written through a symlink, duplicate names;
 * caps on bytes, entries and ratio stop a decompression bomb early.
 */
public final class Installer {
    public static final String CHECKSUM = ".checksum";
    private static final int WRITE_BUFFER = 1 << 18;
    private final InstallLimits limits;
    private final ExecutorService pool;
    private final int threads;
    private final Optional<Bzip2Tool> bzip2;

    /** Decodes bzip2 with the system's lbzip2 or bzip2 when it has one ({@link Bzip2Tool#system()}), else in Java. */
    public Installer(InstallLimits limits, ExecutorService pool, int threads) {
        this(limits, pool, threads, Bzip2Tool.system());
    }

    public Installer(InstallLimits limits, ExecutorService pool, int threads, Optional<Bzip2Tool> bzip2) {
        this.limits = limits;
        this.pool = pool;
        this.threads = threads;
        this.bzip2 = bzip2;
    }

    /** What an install did. */
    public record Outcome(Path dir, boolean skipped, int entries, boolean parallel) {
    }

    /** The SHA-256 of the tarball last unpacked for {@code pkg} under {@code root}, if any (the checksum-skip). */
    public static Optional<String> installedDigest(PackageFile pkg, Path root) throws IOException {
        Path recorded = root.resolve(pkg.type().installPath(pkg.name())).resolve(CHECKSUM);
        if (!Files.isRegularFile(recorded, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(Files.readString(recorded, StandardCharsets.UTF_8).strip());
    }

    /** Removes what an install killed half-way left beside the install folders (never the folders themselves). */
    public static int removeLeftovers(Path root) throws IOException {
        int removed = 0;
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (var folders = Files.walk(root, 2)) {
            for (Path p : folders.filter(f -> f.getFileName().toString().startsWith(".labdrop-install-")
                    || f.getFileName().toString().startsWith(".labdrop-old-")).toList()) {
                AtomicFiles.deleteTree(p);
                removed++;
            }
        }
        return removed;
    }

    /**
     * Installs {@code tarball} (already verified to have {@code sha256}) under {@code root};
     * {@code streamOffsets} come from the repository manifest; when none are given (the agent's
     * run) a bzip2 package's streams are found in the file, so a multi-stream package is decoded on
     * every thread either way. Offsets that are not independent streams fall back to one thread.
     * bzip2 is decoded by the program the installer was given (lbzip2: the whole file, on every
     * core; bzip2: groups of streams in parallel), else in Java.
     */
    public Outcome install(Path tarball, String sha256, List<Long> streamOffsets, Path root) throws IOException {
        PackageFile pkg = PackageFile.parse(tarball.getFileName().toString());
        Path target = root.resolve(pkg.type().installPath(pkg.name()));
        Path recorded = target.resolve(CHECKSUM);
        if (Files.isRegularFile(recorded, LinkOption.NOFOLLOW_LINKS)
                && Files.readString(recorded, StandardCharsets.UTF_8).strip().equals(sha256)) {
            return new Outcome(target, true, 0, false);
        }
        Files.createDirectories(target.getParent());
        checkFreeSpace(tarball, target.getParent());
        // lbzip2 decodes the whole file on every core itself; otherwise the streams are found and split
        boolean wholeOnEveryCore = pkg.format() == PackageFormat.BZ2 && bzip2.filter(Bzip2Tool::parallel).isPresent();
        List<Long> offsets = wholeOnEveryCore ? List.of() : streamOffsets;
        if (!wholeOnEveryCore && pkg.format() == PackageFormat.BZ2 && offsets.isEmpty() && threads > 1) {
            offsets = Bzip2Streams.offsets(tarball);
        }
        boolean parallel = pkg.format() == PackageFormat.BZ2 && offsets.size() > 1 && threads > 1;
        Path temp = target.resolveSibling(".labdrop-install-" + target.getFileName() + "-" + UUID.randomUUID());
        int entries;
        try {
            try {
                entries = unpack(tarball, pkg, parallel ? offsets : List.of(), temp);
            } catch (ParallelBzip2Input.NotIndependent e) {
                AtomicFiles.deleteTree(temp);
                parallel = false;
                entries = unpack(tarball, pkg, List.of(), temp);
            }
            AtomicFiles.write(temp.resolve(CHECKSUM), (sha256 + "\n").getBytes(StandardCharsets.UTF_8));
            swap(temp, target);
        } finally {
            AtomicFiles.deleteTree(temp);
        }
        return new Outcome(target, false, entries, parallel || wholeOnEveryCore);
    }

    private int unpack(Path tarball, PackageFile pkg, List<Long> offsets, Path temp) throws IOException {
        Files.createDirectory(temp);
        String source = "package " + pkg.fileName();
        long compressed = Files.size(tarball);
        try (InputStream decoded = new CappedInput(decoder(tarball, pkg.format(), offsets), source, compressed, limits);
             TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(decoded, 1 << 16))) {
            EntryRules rules = new EntryRules(source, temp);
            int count = 0;
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (++count > limits.maxEntries()) {
                    throw new BadInputException(source + " has more than " + limits.maxEntries() + " entries");
                }
                rules.extract(entry, tar);
            }
            return count;
        }
    }

    private InputStream decoder(Path tarball, PackageFormat format, List<Long> offsets) throws IOException {
        if (!offsets.isEmpty()) {
            return new ParallelBzip2Input(tarball, offsets, pool, threads, bzip2.orElse(null));
        }
        if (format == PackageFormat.BZ2 && bzip2.isPresent()) {
            return bzip2.get().stream(tarball);
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(tarball), 1 << 16);
        InputStream decoder = switch (format) {
            // Always concatenated: pbzip2 and labdrop write many streams; reading only the first truncates silently.
            case BZ2 -> new BZip2CompressorInputStream(raw, true);
            case GZ -> new GzipCompressorInputStream(raw, true);
            case XZ -> new XZCompressorInputStream(raw, true);
            case ZST -> new ZstdCompressorInputStream(raw);
        };
        // decoding on one core while the files are written on another, as tar beside its decoder program
        return threads > 1 ? new ReadAheadInput(decoder, pool) : decoder;
    }

    private static void checkFreeSpace(Path tarball, Path folder) throws IOException {
        long need = Files.size(tarball) * 2;
        long free = Files.getFileStore(folder).getUsableSpace();
        if (free < need) {
            throw new BadInputException("not enough free space in " + folder + " to install "
                    + tarball.getFileName() + ": " + free + " bytes free, at least " + need + " needed");
        }
    }

    private static void swap(Path temp, Path target) throws IOException {
        Path old = target.resolveSibling(".labdrop-old-" + target.getFileName() + "-" + UUID.randomUUID());
        boolean hadOld = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (hadOld) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        if (hadOld) {
            AtomicFiles.deleteTree(old);
        }
    }


    /** The per-entry rules, with what was already created (to refuse writing through a symlink). */
    private static final class EntryRules {
        private final String source;
        private final Path root;
        private final Set<Path> symlinks = new HashSet<>();
        private final Set<Path> seen = new HashSet<>();
        private final byte[] buffer = new byte[WRITE_BUFFER];

        EntryRules(String source, Path root) {
            this.source = source;
            this.root = root;
        }

        void extract(TarArchiveEntry entry, InputStream data) throws IOException {
            String name = entry.getName();
            String shown = "entry '" + name.replace("\0", "\\0") + "' of " + source;
            String stripped = name.startsWith("./") ? name.substring(2) : name;
            if (stripped.isEmpty() || stripped.equals(".") || stripped.equals("./")) {
                return;
            }
            if (stripped.startsWith("/") || name.indexOf('\0') >= 0) {
                throw refuse(shown, "has an absolute name");
            }
            for (String segment : stripped.split("/")) {
                if (segment.equals("..")) {
                    throw refuse(shown, "climbs out with '..'");
                }
            }
            Path relative = Path.of(stripped).normalize();
            if (entry.isLink()) {
                throw refuse(shown, "is a hard link (to '" + entry.getLinkName() + "')");
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw refuse(shown, "is a device or FIFO");
            }
            if ((entry.getMode() & 06000) != 0) {
                throw refuse(shown, "has the setuid or setgid bit");
            }
            for (Path parent = relative.getParent(); parent != null; parent = parent.getParent()) {
                if (symlinks.contains(parent)) {
                    throw refuse(shown, "would be written through the symlink '" + parent + "'");
                }
            }
            if (!seen.add(relative)) {
                throw refuse(shown, "appears twice (a folder or file replaced by a later entry of the same name)");
            }
            Path dest = root.resolve(relative);
            Files.createDirectories(dest.getParent());
            if (entry.isSymbolicLink()) {
                Path link = Path.of(entry.getLinkName());
                Path resolved = (relative.getParent() == null ? Path.of("") : relative.getParent()).resolve(link).normalize();
                if (link.isAbsolute() || resolved.startsWith("..") || resolved.toString().equals("..")) {
                    throw refuse(shown, "is a symlink to '" + entry.getLinkName() + "', outside the package");
                }
                Files.createSymbolicLink(dest, link);
                symlinks.add(relative);
            } else if (entry.isDirectory()) {
                Files.createDirectories(dest);
            } else if (entry.isFile()) {
                // large writes: Files.copy writes 8 KiB at a time, 12,800 system calls per 100 MiB
                try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    for (int n; (n = data.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                    }
                }
                Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString(
                        (entry.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
            } else {
                throw refuse(shown, "is of a kind packages never hold (type '" + (char) entry.getLinkFlag() + "')");
            }
        }

        private static BadInputException refuse(String shown, String why) {
            return new BadInputException(shown + " " + why + "; the package is refused and nothing was installed");
        }
    }
}
