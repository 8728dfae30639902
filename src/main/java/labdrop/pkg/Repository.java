package labdrop.pkg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import labdrop.drop.AtomicFiles;
import labdrop.error.BadInputException;
import labdrop.error.NotFoundException;

/** A package repository: a folder of package tarballs with packages.checksum and packages.manifest. */
public final class Repository {
    private final Path dir;

    public Repository(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /** Hashes every package in the folder and writes both index files atomically (checksum file last). */
    public Manifest index() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NotFoundException("repository " + dir + " is not a folder");
        }
        List<Manifest.Entry> entries = new ArrayList<>();
        for (Path file : packageFiles()) {
            PackageDigest d = PackageDigest.of(file);
            String name = file.getFileName().toString();
            List<Long> offsets = name.endsWith(PackageFormat.BZ2.suffix()) ? Bzip2Streams.offsets(file) : List.of();
            entries.add(new Manifest.Entry(name, d.size(), d.sha256(), d.md5(), offsets));
        }
        Manifest manifest = Manifest.of(entries);
        AtomicFiles.write(dir.resolve(Manifest.MANIFEST_FILE), manifest.manifestText().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(Manifest.CHECKSUM_FILE), manifest.checksumText().getBytes(StandardCharsets.UTF_8));
        return manifest;
    }

    public Manifest manifest() throws IOException {
        return Manifest.read(dir);
    }

    /** One mismatch found by {@link #verify}. */
    public record Problem(String name, String problem) {
    }

    /** Re-hashes every package and compares with both index files; an empty list means all good. */
    public List<Problem> verify() throws IOException {
        Manifest manifest = manifest();
        List<Problem> problems = new ArrayList<>();
        List<String> onDisk = new ArrayList<>();
        for (Path file : packageFiles()) {
            String name = file.getFileName().toString();
            onDisk.add(name);
            Manifest.Entry entry = manifest.entries().get(name);
            if (entry == null) {
                problems.add(new Problem(name, "not in the index; run labdrop pkg index " + dir));
                continue;
            }
            PackageDigest d = PackageDigest.of(file);
            if (entry.md5() == null || !entry.md5().equals(d.md5())) {
                problems.add(new Problem(name, "MD5 is " + d.md5() + " but " + Manifest.CHECKSUM_FILE + " says " + entry.md5()));
            }
            if (entry.sha256() != null && !entry.sha256().equals(d.sha256())) {
                problems.add(new Problem(name, "SHA-256 is " + d.sha256() + " but " + Manifest.MANIFEST_FILE + " says " + entry.sha256()));
            }
            if (entry.size() >= 0 && entry.size() != d.size()) {
                problems.add(new Problem(name, "size is " + d.size() + " but the manifest says " + entry.size()));
            }
        }
        manifest.entries().keySet().stream().filter(n -> !onDisk.contains(n))
                .forEach(n -> problems.add(new Problem(n, "listed in the index but missing from " + dir)));
        return problems;
    }

    /** Removes one package and re-indexes. */
    public void remove(String fileName) throws IOException {
        PackageFile.parse(fileName);
        Path file = dir.resolve(fileName);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotFoundException("repository " + dir + " has no package " + fileName);
        }
        AtomicFiles.delete(file);
        index();
    }

    List<Path> packageFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> isPackageName(p.getFileName().toString())).sorted().toList();
        }
    }

    private static boolean isPackageName(String name) {
        try {
            PackageFile.parse(name);
            return true;
        } catch (BadInputException e) {
            return false;
        }
    }
}
