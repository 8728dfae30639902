package labdrop.pkg;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Decodes a multi-stream bzip2 file with its streams decoded in parallel and delivered in order:
 * one stream per task with Commons Compress, or {@link #TOOL_GROUP} streams per task with the
 * system's bzip2 (one process start per group, not per 900 kB). Each task must decode to at most
 * {@link #MAX_STREAM} bytes and each stream end exactly where the next begins; otherwise
 * {@link NotIndependent} is thrown before any byte is delivered out of that task, and the caller
 * decodes sequentially instead.
 */
final class ParallelBzip2Input extends InputStream {
    static final int MAX_STREAM = 16 << 20;
    /** Streams per bzip2 process: eight of labdrop's or pbzip2's 900 kB streams, 7.2 MB. */
    static final int TOOL_GROUP = 8;

    /** The offsets do not describe independent streams; decode sequentially. */
    static final class NotIndependent extends IOException {
        NotIndependent(String message) {
            super(message);
        }
    }

    private final FileChannel channel;
    private final List<Long> offsets;
    private final long size;
    private final ExecutorService pool;
    private final int window;
    private final Bzip2Tool tool;
    private final int step;
    private final Deque<Future<byte[]>> pending = new ArrayDeque<>();
    private int next;
    private ByteArrayInputStream current = new ByteArrayInputStream(new byte[0]);

    /** {@code tool}: the system's bzip2, or null to decode in Java. */
    ParallelBzip2Input(Path file, List<Long> offsets, ExecutorService pool, int threads, Bzip2Tool tool) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.offsets = offsets;
        this.size = channel.size();
        this.pool = pool;
        this.window = threads * 2;
        this.tool = tool;
        // as many tasks as threads at least, so wrong offsets fail a task rather than hide in a group
        this.step = tool == null ? 1 : Math.max(1, Math.min(TOOL_GROUP, offsets.size() / Math.max(1, threads)));
        if (offsets.isEmpty() || offsets.get(0) != 0 || offsets.get(offsets.size() - 1) >= size) {
            channel.close();
            throw new NotIndependent("stream offsets do not cover the file");
        }
        fill();
    }

    private void fill() {
        while (pending.size() < window && next < offsets.size()) {
            int i = next;
            next = Math.min(offsets.size(), next + step);
            long start = offsets.get(i);
            long end = next < offsets.size() ? offsets.get(next) : size;
            pending.add(pool.submit(() -> decode(start, end)));
        }
    }

    private byte[] decode(long start, long end) throws IOException {
        if (end <= start || end - start > Integer.MAX_VALUE) {
            throw new NotIndependent("stream at " + start + " has no sensible length");
        }
        ByteBuffer slice = ByteBuffer.allocate((int) (end - start));
        while (slice.hasRemaining()) {
            if (channel.read(slice, start + slice.position()) < 0) {
                throw new NotIndependent("file ended inside the stream at " + start);
            }
        }
        if (tool != null) {
            return tool.decode(slice.array(), MAX_STREAM, start);
        }
        ByteArrayInputStream compressed = new ByteArrayInputStream(slice.array());
        ByteArrayOutputStream out = new ByteArrayOutputStream(MultiStreamBzip2Output.CHUNK);
        try (BZip2CompressorInputStream bzip = new BZip2CompressorInputStream(compressed, false)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = bzip.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (out.size() > MAX_STREAM) {
                    throw new NotIndependent("stream at " + start + " decodes past " + MAX_STREAM + " bytes");
                }
            }
        } catch (NotIndependent e) {
            throw e;
        } catch (IOException e) {
            throw new NotIndependent("stream at " + start + " does not decode on its own: " + e.getMessage());
        }
        if (compressed.available() > 0) {
            throw new NotIndependent("stream at " + start + " ends before the next offset");
        }
        return out.toByteArray();
    }

    @Override
    public int read() throws IOException {
        return SingleByte.read(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (current.available() == 0) {
            if (pending.isEmpty()) {
                return -1;
            }
            try {
                current = new ByteArrayInputStream(pending.removeFirst().get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while decoding", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
            fill();
        }
        return current.read(b, off, len);
    }

    @Override
    public void close() throws IOException {
        pending.forEach(f -> f.cancel(true));
        channel.close();
    }
}
