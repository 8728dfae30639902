package labdrop.pkg;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

/**
 * bzip2 written as independent streams, one per 900 kB of input (bzip2's own block size, so the
 * ratio is that of plain bzip2), compressed in parallel, as pbzip2 does. Every bzip2 tool reads
 * the result; labdrop's installer decodes the streams in parallel. The offset of each stream in
 * the output is kept for the manifest.
 */
final class MultiStreamBzip2Output extends OutputStream {
    static final int CHUNK = 900_000;
    private final OutputStream out;
    private final ExecutorService pool;
    private final int window;
    private final Deque<Future<byte[]>> pending = new ArrayDeque<>();
    private final List<Long> offsets;
    private byte[] buffer = new byte[CHUNK];
    private int filled;
    private long written;

    /** {@code offsets} receives the offset of each stream as it is written. */
    MultiStreamBzip2Output(OutputStream out, ExecutorService pool, int threads, List<Long> offsets) {
        this.out = out;
        this.offsets = offsets;
        this.pool = pool;
        this.window = threads * 2;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, CHUNK - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == CHUNK) {
                submit();
            }
        }
    }

    private void submit() throws IOException {
        byte[] chunk = buffer;
        int length = filled;
        pending.add(pool.submit(() -> compress(chunk, length)));
        buffer = new byte[CHUNK];
        filled = 0;
        while (pending.size() > window) {
            drainOne();
        }
    }

    private void drainOne() throws IOException {
        byte[] compressed;
        try {
            compressed = pending.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compressing", e);
        } catch (ExecutionException e) {
            throw new IOException("bzip2 compression failed: " + e.getCause().getMessage(), e.getCause());
        }
        offsets.add(written);
        out.write(compressed);
        written += compressed.length;
    }

    private static byte[] compress(byte[] data, int length) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(length / 3 + 64);
        try (BZip2CompressorOutputStream bzip = new BZip2CompressorOutputStream(bytes, 9)) {
            bzip.write(data, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() throws IOException {
        if (filled > 0 || offsets.isEmpty() && pending.isEmpty()) {
            submit();
        }
        while (!pending.isEmpty()) {
            drainOne();
        }
        out.flush();
    }
}
