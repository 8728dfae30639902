package labdrop.pkg;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SHA-256 of a download, computed as its bytes arrive. A program of the SUT's own hashes them
 * on another core: OpenSSL's {@code openssl dgst -sha256}, which uses the CPU's SHA instructions
 * (31 MB in 30 ms), else coreutils' {@code sha256sum}, which does not (110–180 ms). The agent's JVMs
 * compile with C1 only, whose SHA-256 has no SHA instructions either (31 MB in 220 ms), so hashing
 * in the JVM added a fifth to a zstd package's install while the program's hashing hides behind the
 * download. Both are found by {@link SystemProgram}. When there is no such program, or it fails or
 * answers anything but a SHA-256, the file is hashed in the JVM once it is complete: the answer is
 * never taken on trust from a failed program.
 */
final class DownloadHash implements AutoCloseable {
    /** sha256sum's answer ({@code HEX  -}) or openssl's with {@code -r} ({@code HEX *stdin}). */
    private static final Pattern ANSWER = Pattern.compile("([0-9a-f]{64}) [ *](?:-|stdin)\n");
    private static final int ANSWER_CAP = 256;
    private final Process process;
    private OutputStream pipe;
    private long size;

    private DownloadHash(Process process) {
        this.process = process;
        this.pipe = process == null ? null : process.getOutputStream();
    }

    /** The command that hashes its standard input: openssl, else sha256sum, where a package manager puts them. */
    static Optional<List<String>> system() {
        return SystemProgram.find("openssl").map(p -> List.of(p.toString(), "dgst", "-sha256", "-r"))
                .or(() -> SystemProgram.find("sha256sum").map(p -> List.of(p.toString())));
    }

    /** Starts hashing with {@code command} (reading its standard input), or in the JVM at the end when empty. */
    static DownloadHash start(Optional<List<String>> command) {
        if (command.isEmpty()) {
            return new DownloadHash(null);
        }
        try {
            return new DownloadHash(new ProcessBuilder(command.get())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        } catch (IOException e) {
            return new DownloadHash(null);
        }
    }

    void update(byte[] b, int off, int len) {
        size += len;
        if (pipe != null) {
            try {
                pipe.write(b, off, len);
            } catch (IOException e) {
                // the program stopped reading: the finished file is hashed in the JVM instead
                pipe = null;
            }
        }
    }

    /** Bytes hashed so far. */
    long size() {
        return size;
    }

    /** The hex SHA-256 of everything given to {@link #update}, which {@code file} holds whole. */
    String hex(Path file) throws IOException {
        Optional<String> answer = fromProgram();
        return answer.isPresent() ? answer.get() : PackageDigest.sha256(file);
    }

    private Optional<String> fromProgram() {
        if (pipe == null) {
            return Optional.empty();
        }
        try {
            pipe.close();
            pipe = null;
            byte[] said = process.getInputStream().readNBytes(ANSWER_CAP);
            if (process.waitFor() != 0) {
                return Optional.empty();
            }
            Matcher m = ANSWER.matcher(new String(said, StandardCharsets.US_ASCII));
            return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
