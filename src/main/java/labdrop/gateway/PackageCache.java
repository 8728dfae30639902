package labdrop.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import labdrop.drop.AtomicFiles;
import labdrop.error.BadInputException;
import labdrop.pkg.Manifest;
import labdrop.pkg.PackageFile;
import labdrop.pkg.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's package cache: a package repository folder (served to the lab's SUTs over HTTP
 * with Range and ETag, docs/gateway.md) filled from the server over the lab's own SSH login
 * ({@code labdrop-package}, one channel of the same connection). A package is fetched once, into
 * a part file outside the served folder (a cut download resumes where it stopped), and moved into
 * the served folder only when its size and SHA-256 are those the request pinned; only then is it
 * listed in {@code packages.checksum}, so an agent never sees a partial or unverified file. The
 * folder is capped at {@code cache.max-bytes}: the least recently pinned packages go first, never
 * one a request placed in the local drop still names.
 */
final class PackageCache {
    private static final Logger LOG = LoggerFactory.getLogger(PackageCache.class);
    private final Path dir;
    private final Path parts;
    private final long maxBytes;
    private final Duration deadline;
    private final Clock clock;
    private final Path usedFile;
    private final Map<String, Long> used = new TreeMap<>();

    /** A package a request needs, as the request pins it; the file name is checked before it reaches a path. */
    record Pin(String file, String sha256, long size) {
        Pin {
            PackageFile.parse(file);
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new BadInputException("'" + sha256 + "' is not a SHA-256 (64 lower-case hex digits)");
            }
        }
    }

    /** The server has no such package (not a link problem: asking again will not help). */
    static final class NotOnServer extends IOException {
        NotOnServer(String message) {
            super(message);
        }
    }

    PackageCache(Path dir, Path parts, long maxBytes, Duration deadline, Clock clock) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.parts = Files.createDirectories(parts);
        this.maxBytes = maxBytes;
        this.deadline = deadline;
        this.clock = clock;
        this.usedFile = parts.resolve("used.properties");
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(usedFile, StandardCharsets.UTF_8)) {
            p.load(in);
            p.stringPropertyNames().forEach(k -> used.put(k, Long.parseLong(p.getProperty(k))));
        } catch (NoSuchFileException none) {
            // a new cache
        }
        dropUnlisted();
    }

    Path dir() {
        return dir;
    }

    /** True when {@code pin} is in the served folder, verified. */
    synchronized boolean has(Pin pin) throws IOException {
        Manifest.Entry entry = entries().get(pin.file());
        return entry != null && entry.sha256().equals(pin.sha256())
                && Files.isRegularFile(dir.resolve(pin.file()), LinkOption.NOFOLLOW_LINKS);
    }

    /** Fetches {@code pin} from the server unless it is cached; throws {@link NotOnServer} when the server lacks it. */
    void ensure(Upstream session, Pin pin) throws IOException {
        if (has(pin)) {
            touch(pin.file());
            return;
        }
        Path part = parts.resolve(pin.file() + ".part");
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (pin.size() >= 0 && have > pin.size()) {
            Files.delete(part);
            have = 0;
        }
        long start = System.nanoTime();
        Upstream.Exec done;
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            done = session.exec("labdrop-package " + pin.file() + " " + pin.sha256() + " " + have, out, deadline);
        }
        if (done.status() == 2) {
            Files.deleteIfExists(part);
            throw new NotOnServer(done.stderr());
        }
        if (done.status() != 0) {
            throw new IOException("fetching " + pin.file() + " from the server ended with " + done.status() + ": "
                    + done.stderr());
        }
        String[] digests = digests(part);
        long size = Files.size(part);
        if ((pin.size() >= 0 && size != pin.size()) || !digests[0].equals(pin.sha256())) {
            Files.delete(part);
            throw new IOException(pin.file() + " from the server is " + size + " bytes with SHA-256 " + digests[0]
                    + ", not the " + pin.size() + " bytes and " + pin.sha256() + " its request pinned; not cached");
        }
        synchronized (this) {
            Files.move(part, dir.resolve(pin.file()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Map<String, Manifest.Entry> entries = entries();
            entries.put(pin.file(), new Manifest.Entry(pin.file(), size, digests[0], digests[1], List.of()));
            writeIndex(entries);
        }
        touch(pin.file());
        LOG.info("cached {} ({} bytes, from byte {}) in {} ms", pin.file(), size, have, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Marks {@code pinned} (the packages of the requests in the local drop) as used now, then
     * removes the least recently used others until the folder is within {@code cache.max-bytes}.
     */
    synchronized void retain(Set<String> pinned) throws IOException {
        pinned.forEach(file -> used.put(file, clock.millis()));
        Map<String, Manifest.Entry> entries = entries();
        long total = entries.values().stream().mapToLong(Manifest.Entry::size).sum();
        List<Manifest.Entry> candidates = new ArrayList<>(entries.values().stream()
                .filter(e -> !pinned.contains(e.name())).toList());
        candidates.sort(Comparator.comparingLong(e -> used.getOrDefault(e.name(), 0L)));
        boolean changed = false;
        for (Manifest.Entry e : candidates) {
            if (total <= maxBytes) {
                break;
            }
            entries.remove(e.name());
            writeIndex(entries);
            Files.deleteIfExists(dir.resolve(e.name()));
            used.remove(e.name());
            total -= e.size();
            changed = true;
            LOG.info("evicted {} ({} bytes) from the package cache (cache.max-bytes {})", e.name(), e.size(), maxBytes);
        }
        if (total > maxBytes) {
            LOG.warn("the packages that requests in the local drop still need take {} bytes, over cache.max-bytes {}",
                    total, maxBytes);
        }
        if (changed || !pinned.isEmpty()) {
            saveUsed();
        }
    }

    /** Bytes in the served folder. */
    synchronized long bytes() throws IOException {
        return entries().values().stream().mapToLong(Manifest.Entry::size).sum();
    }

    synchronized int count() throws IOException {
        return entries().size();
    }

    private synchronized void touch(String file) throws IOException {
        used.put(file, clock.millis());
        saveUsed();
    }

    private void saveUsed() throws IOException {
        Properties p = new Properties();
        used.forEach((k, v) -> p.setProperty(k, Long.toString(v)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.store(out, "labdrop gateway: when each cached package was last needed");
        AtomicFiles.write(usedFile, out.toByteArray());
    }

    private Map<String, Manifest.Entry> entries() throws IOException {
        if (!Files.exists(dir.resolve(Manifest.MANIFEST_FILE))) {
            return new TreeMap<>();
        }
        return new TreeMap<>(new Repository(dir).manifest().entries());
    }

    /** The index goes first when a file leaves and last when one arrives: it never lists a file that is not whole. */
    private void writeIndex(Map<String, Manifest.Entry> entries) throws IOException {
        Manifest manifest = new Manifest(new TreeMap<>(entries));
        AtomicFiles.write(dir.resolve(Manifest.MANIFEST_FILE), manifest.manifestText().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(Manifest.CHECKSUM_FILE), manifest.checksumText().getBytes(StandardCharsets.UTF_8));
    }

    /** At start: files in the served folder that the index does not list (a crash between move and index) go. */
    private void dropUnlisted() throws IOException {
        Map<String, Manifest.Entry> entries = entries();
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.equals(Manifest.MANIFEST_FILE) || name.equals(Manifest.CHECKSUM_FILE)) {
                    continue;
                }
                Manifest.Entry entry = entries.get(name);
                if (entry == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != entry.size()) {
                    AtomicFiles.deleteTree(file);
                    if (entry != null) {
                        entries.remove(name);
                        writeIndex(entries);
                    }
                    LOG.info("removed {} from the package cache: not a whole, listed package", name);
                }
            }
        }
    }

    /** SHA-256 and MD5 (for Autotest's packages.checksum) of a file, in one read. */
    private static String[] digests(Path file) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                    md5.update(buffer, 0, n);
                }
            }
            return new String[] {HexFormat.of().formatHex(sha.digest()), HexFormat.of().formatHex(md5.digest())};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 and MD5 are part of every JVM", e);
        }
    }
}
