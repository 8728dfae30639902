package labdrop.pkg;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.net.ssl.HttpsURLConnection;
import labdrop.retry.Backoff;

/**
 * Fetches one package from ordered locations ({@code http://}, {@code https://}, {@code file://}):
 * the first location that lists it in its packages.checksum and yields a verified copy wins.
 * Downloads go to {@code <name>.part} (resumed with HTTP Range), are hashed as the bytes arrive,
 * and are renamed into place only when the size and SHA-256 match the request XML's (which travels
 * over ssh); on a mismatch the file is deleted. The SHA-256 is computed beside the download by the
 * SUT's {@code openssl} or {@code sha256sum} when it has one ({@link DownloadHash}). The index's MD5 is not computed: it cannot catch
 * what the pinned SHA-256 misses, and hashing twice is a tenth of a timer run's install.
 * HTTP goes through {@link HttpURLConnection}: one blocking GET at a time needs no HTTP/2 or
 * selector thread, which a cold JVM would set up on every timer run.
 */
public final class Fetcher {
    private final FetchPolicy policy;
    private final Random jitter;
    private final Optional<List<String>> hasher;

    /** Hashes with the system's openssl or sha256sum when it has one ({@link DownloadHash}), else in the JVM. */
    public Fetcher(FetchPolicy policy, Random jitter) {
        this(policy, jitter, DownloadHash.system());
    }

    /** {@code hasher}: the command that hashes downloads beside them; empty: the JVM hashes them. */
    public Fetcher(FetchPolicy policy, Random jitter, Optional<List<String>> hasher) {
        this.policy = policy;
        this.jitter = jitter;
        this.hasher = hasher;
    }

    /** The package a request needs: its file name, and the SHA-256 and size the request carries (size -1: unknown). */
    public record Wanted(String fileName, String sha256, long size) {
        public Wanted {
            PackageFile.parse(fileName);
        }
    }

    public Path fetch(Wanted wanted, List<URI> locations, Path destDir) throws InterruptedException {
        List<String> reasons = new ArrayList<>();
        for (URI location : locations) {
            String base = location.toString().endsWith("/") ? location.toString() : location + "/";
            try {
                return fromLocation(wanted, URI.create(base), destDir);
            } catch (LocationFailed e) {
                reasons.add(base + ": " + e.getMessage());
            }
        }
        throw new FetchFailedException(wanted.fileName(), reasons);
    }

    /** This location cannot give a verified copy (the message says why); the next one is tried. */
    private static final class LocationFailed extends Exception {
        LocationFailed(String message) {
            super(message);
        }
    }

    private Path fromLocation(Wanted wanted, URI base, Path destDir) throws LocationFailed, InterruptedException {
        String scheme = base.getScheme() == null ? "" : base.getScheme();
        if (!List.of("http", "https", "file").contains(scheme)) {
            throw new LocationFailed("unsupported scheme; use http://, https:// or file://");
        }
        requireListed(wanted, base);
        Path part = destDir.resolve(wanted.fileName() + ".part");
        String lastError = null;
        Backoff backoff = new Backoff(policy.attempts(), policy.backoff(), policy.sleeper(), jitter);
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            try {
                Files.createDirectories(destDir);
                try (DownloadHash hash = DownloadHash.start(hasher)) {
                    if (scheme.equals("file")) {
                        copyFile(base.resolve(wanted.fileName()), part, hash);
                    } else {
                        download(base.resolve(wanted.fileName()), part, wanted.size(), hash);
                    }
                    return verifyAndPlace(wanted, hash, part, destDir);
                }
            } catch (NotThere e) {
                throw new LocationFailed(e.getMessage());
            } catch (Mismatch e) {
                deleteQuietly(part);
                throw new LocationFailed(e.getMessage());
            } catch (IOException e) {
                lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                if (backoff.another(attempt)) {
                    backoff.pause(attempt);
                }
            }
        }
        throw new LocationFailed(lastError + " (after " + policy.attempts() + " attempts)");
    }

    /** A location is a package repository that has the package when its packages.checksum lists it. */
    private void requireListed(Wanted wanted, URI base) throws LocationFailed {
        String text;
        try {
            text = readSmall(base.resolve(Manifest.CHECKSUM_FILE));
        } catch (NotThere e) {
            throw new LocationFailed("no " + Manifest.CHECKSUM_FILE + " (not a package repository)");
        } catch (IOException e) {
            throw new LocationFailed("cannot read " + Manifest.CHECKSUM_FILE + ": " + e.getMessage());
        }
        Map<String, String> md5s = Manifest.parseChecksums(text, base + Manifest.CHECKSUM_FILE);
        if (!md5s.containsKey(wanted.fileName())) {
            throw new LocationFailed(wanted.fileName() + " is not listed in its " + Manifest.CHECKSUM_FILE);
        }
    }

    /** Reads a repository's index, at most {@code policy.maxIndexBytes()} and within the fetch deadline. */
    private String readSmall(URI uri) throws IOException, NotThere {
        long cap = policy.maxIndexBytes();
        if ("file".equals(uri.getScheme())) {
            Path path = Path.of(uri);
            if (!Files.isRegularFile(path)) {
                throw new NotThere(path + " does not exist");
            }
            if (Files.size(path) > cap) {
                throw new IOException(overIndexCap(Files.size(path) + " bytes", cap));
            }
            return Files.readString(path, StandardCharsets.UTF_8);
        }
        HttpURLConnection connection = open(uri, null);
        try {
            int status = connection.getResponseCode();
            if (status == 404) {
                throw new NotThere("HTTP 404");
            }
            if (status != 200) {
                throw new IOException("HTTP " + status + " for " + uri);
            }
            if (connection.getContentLengthLong() > cap) {
                throw new IOException(overIndexCap(connection.getContentLengthLong() + " bytes", cap));
            }
            try (InputStream body = watched(connection, uri)) {
                byte[] text = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap + 1));
                if (text.length > cap) {
                    throw new IOException(overIndexCap("more than " + cap + " bytes", cap));
                }
                return new String(text, StandardCharsets.UTF_8);
            }
        } catch (IOException | NotThere e) {
            connection.disconnect();
            throw e;
        }
    }

    private static String overIndexCap(String size, long cap) {
        return Manifest.CHECKSUM_FILE + " is " + size + ", over the cap of " + cap
                + " bytes (fetch.max-index-bytes); not read";
    }

    /** A GET of {@code uri} (with a Range header when {@code range} is given), not yet sent. */
    private HttpURLConnection open(URI uri, String range) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        if (connection instanceof HttpsURLConnection https && policy.tls() != null) {
            https.setSSLSocketFactory(policy.tls().get().getSocketFactory());
        }
        connection.setConnectTimeout((int) policy.connectTimeout().toMillis());
        // bounds the wait for the answer's headers; the body's silences are WatchedInput's rule
        connection.setReadTimeout((int) policy.readTimeout().toMillis());
        if (range != null) {
            connection.setRequestProperty("Range", range);
        }
        return connection;
    }

    private InputStream watched(HttpURLConnection connection, URI uri) throws IOException {
        return new WatchedInput(connection.getInputStream(), connection::disconnect, "reading " + uri, policy.deadline(),
                policy.readTimeout());
    }

    /** Writes to {@code out} and gives the same bytes to {@code hash}. */
    private static OutputStream tee(OutputStream out, DownloadHash hash) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                hash.update(b, off, len);
                out.write(b, off, len);
            }
        };
    }

    /** Hashes the part already on disk (before a resume). */
    private static void readExisting(Path part, DownloadHash hash) throws IOException {
        try (InputStream in = Files.newInputStream(part)) {
            in.transferTo(tee(OutputStream.nullOutputStream(), hash));
        }
    }

    /** Downloads into {@code part}, resuming it; never more than {@code size} bytes when the size is known (else {@link Mismatch}). */
    private void download(URI uri, Path part, long size, DownloadHash hash) throws IOException, NotThere, Mismatch {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpURLConnection connection = open(uri, have > 0 ? "bytes=" + have + "-" : null);
        try {
            int status = connection.getResponseCode();
            if (status == 404) {
                throw new NotThere("HTTP 404 for the package");
            }
            String range = connection.getHeaderField("Content-Range");
            boolean resumed = status == 206 && range != null && range.startsWith("bytes " + have + "-");
            if (status == 416 && have > 0) {
                connection.disconnect();
                readExisting(part, hash);
                return;
            }
            if (status != 200 && !resumed) {
                throw new IOException("HTTP " + status + " for " + uri);
            }
            if (resumed) {
                readExisting(part, hash);
            }
            try (InputStream body = watched(connection, uri);
                 OutputStream out = tee(Files.newOutputStream(part, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING), hash)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    if (size >= 0 && hash.size() > size) {
                        throw new Mismatch("the repository sent more than the request's " + size + " bytes;"
                                + " deleted, never extracted");
                    }
                }
            }
        } catch (IOException | NotThere | Mismatch e) {
            connection.disconnect();
            throw e;
        }
    }

    private static void copyFile(URI uri, Path part, DownloadHash hash) throws IOException, NotThere {
        Path source = Path.of(uri);
        if (!Files.isRegularFile(source)) {
            throw new NotThere(source + " does not exist");
        }
        try (OutputStream out = tee(Files.newOutputStream(part), hash)) {
            Files.copy(source, out);
        }
    }

    private static Path verifyAndPlace(Wanted wanted, DownloadHash hash, Path part, Path destDir)
            throws IOException, Mismatch {
        long size = hash.size();
        if (wanted.size() >= 0 && size < wanted.size()) {
            throw new IOException("download stopped at " + size + " of " + wanted.size() + " bytes");
        }
        String gotSha = hash.hex(part);
        if (!gotSha.equals(wanted.sha256()) || wanted.size() >= 0 && size != wanted.size()) {
            throw new Mismatch("SHA-256 " + gotSha + " (" + size + " bytes) is not the request's " + wanted.sha256()
                    + (wanted.size() >= 0 ? " (" + wanted.size() + " bytes)" : "") + "; deleted, never extracted");
        }
        Path target = destDir.resolve(wanted.fileName());
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the next fetch truncates it anyway
        }
    }

    private static final class NotThere extends Exception {
        NotThere(String message) {
            super(message);
        }
    }

    private static final class Mismatch extends Exception {
        Mismatch(String message) {
            super(message);
        }
    }
}
