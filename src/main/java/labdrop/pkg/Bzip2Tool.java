package labdrop.pkg;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The SUT's own bzip2 decoder program. {@code lbzip2} (preferred) decodes every bzip2 file on all
 * cores, one stream or many, about 2.3× faster than {@code bzip2} on two; {@code bzip2}, what
 * {@code tar xjf} runs, decodes one stream 1.2–1.4× faster than Commons Compress under the full
 * JIT and about 2.5× faster than under C1 (the timer's {@code agent --once}), and is given groups
 * of streams in parallel. Both are found by {@link SystemProgram}. Input is a package already verified against the request's SHA-256; its output
 * is read through the installer's caps like the Java decoder's, and a non-zero exit fails the read
 * with what the program said.
 */
public final class Bzip2Tool {
    private static final int STDERR_CAP = 4096;
    private final Path program;
    private final boolean parallel;

    /** {@code parallel}: the program decodes on every core itself (lbzip2), so it is given the whole file. */
    public Bzip2Tool(Path program, boolean parallel) {
        this.program = program;
        this.parallel = parallel;
    }

    /** lbzip2, else bzip2, when one is installed where a package manager puts it. */
    public static Optional<Bzip2Tool> system() {
        return SystemProgram.find("lbzip2").map(p -> new Bzip2Tool(p, true)).or(Bzip2Tool::bzip2);
    }

    /** Only bzip2 (one core per process), when installed. */
    public static Optional<Bzip2Tool> bzip2() {
        return SystemProgram.find("bzip2").map(p -> new Bzip2Tool(p, false));
    }

    /** True when the program decodes on every core itself: the whole file goes to one process. */
    boolean parallel() {
        return parallel;
    }

    /** Decodes {@code file} (all its streams) as it is read. */
    InputStream stream(Path file) throws IOException {
        Process process = new ProcessBuilder(program.toString(), "-dc").redirectInput(file.toFile()).start();
        process.getOutputStream().close();
        return new ProcessOutput(process);
    }

    /**
     * Decodes {@code compressed} (whole streams) to at most {@code max} bytes; more, or bytes that
     * do not decode, is {@link ParallelBzip2Input.NotIndependent} (the caller decodes in order instead).
     */
    byte[] decode(byte[] compressed, int max, long start) throws IOException {
        Process process = new ProcessBuilder(program.toString(), "-dc").start();
        Thread feeder = new Thread(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(compressed);
            } catch (IOException e) {
                // bzip2 stopped reading: its exit code says why
            }
        }, "labdrop-bzip2-feed");
        feeder.setDaemon(true);
        feeder.start();
        try (InputStream out = new ProcessOutput(process)) {
            ByteArrayOutputStream decoded = new ByteArrayOutputStream(MultiStreamBzip2Output.CHUNK);
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = out.read(buffer)) >= 0; ) {
                decoded.write(buffer, 0, n);
                if (decoded.size() > max) {
                    throw new ParallelBzip2Input.NotIndependent("streams at " + start + " decode past " + max + " bytes");
                }
            }
            return decoded.toByteArray();
        } catch (ParallelBzip2Input.NotIndependent e) {
            throw e;
        } catch (IOException e) {
            throw new ParallelBzip2Input.NotIndependent("streams at " + start + " do not decode on their own: " + e.getMessage());
        }
    }

    /** bzip2's output; at its end the exit code is checked, and closing early stops the process. */
    private final class ProcessOutput extends FilterInputStream {
        private final Process process;
        private boolean checked;

        ProcessOutput(Process process) {
            super(process.getInputStream());
            this.process = process;
        }

        @Override
        public int read() throws IOException {
            return SingleByte.read(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0 && !checked) {
                checked = true;
                String said = new String(process.getErrorStream().readNBytes(STDERR_CAP), StandardCharsets.UTF_8).strip();
                int code;
                try {
                    code = process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + program, e);
                }
                if (code != 0) {
                    // the file matched the request's SHA-256: it was damaged before it was published
                    throw new IOException(program + " -dc exited with " + code + (said.isEmpty() ? "" : ": " + said)
                            + "; the package matches the request's SHA-256, so it was published damaged:"
                            + " build and publish it again (labdrop pkg build, labdrop pkg publish); nothing was installed");
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                process.getErrorStream().close();
                if (process.isAlive()) {
                    process.destroyForcibly();
                }
            }
        }
    }
}
