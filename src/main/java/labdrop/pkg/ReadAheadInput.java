package labdrop.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a decoder on a pool thread, {@link #CHUNK} bytes at a time and at most {@link #AHEAD}
 * chunks ahead, so that decoding (zstd, gzip, xz, one bzip2 stream in Java) runs on one core
 * while the installer writes files on another, as {@code tar --zstd -xf} runs zstd beside tar.
 * The source is closed on the reader's thread once the pool thread has let go of it (a native
 * decoder must not be freed under a read). The chunks' buffers go back to the pool thread once
 * read: at most {@code AHEAD + 1} are ever allocated, so a 100 MiB package makes no garbage for
 * the daemon's small heap to collect (with a new buffer per chunk it collected 77 times, 14 of
 * them full, per install).
 */
final class ReadAheadInput extends InputStream {
    static final int CHUNK = 1 << 18;
    static final int AHEAD = 8;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private final InputStream source;
    private final BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(AHEAD);
    /** Buffers the reader is done with, for the pump to fill again. */
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(AHEAD + 1);
    /** Set by whichever comes first: the pump starting, or a close before it started. */
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Future<?> pump;
    private volatile IOException failure;
    /** Buffers made by the pump (its thread only). */
    private int allocated;
    private Chunk current;
    private int position;
    private boolean ended;

    /** A filled buffer: its first {@code length} bytes. */
    private record Chunk(byte[] bytes, int length) {
    }

    ReadAheadInput(InputStream source, ExecutorService pool) {
        this.source = source;
        this.pump = pool.submit(this::pump);
    }

    private void pump() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        try {
            while (true) {
                byte[] buffer = free.poll();
                if (buffer == null && allocated < AHEAD + 1) {
                    allocated++;
                    buffer = new byte[CHUNK];
                } else if (buffer == null) {
                    buffer = free.take();
                }
                int n = source.readNBytes(buffer, 0, CHUNK);
                if (n == 0) {
                    break;
                }
                chunks.put(new Chunk(buffer, n));
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            return;
        } finally {
            stopped.countDown();
        }
        try {
            chunks.put(END);
        } catch (InterruptedException e) {
            // closed: nobody reads the end
        }
    }

    @Override
    public int read() throws IOException {
        return SingleByte.read(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || position == current.length()) {
            if (ended) {
                return -1;
            }
            if (current != null) {
                free.offer(current.bytes());
            }
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while decoding", e);
            }
            position = 0;
            if (current == END) {
                ended = true;
                if (failure != null) {
                    throw failure;
                }
            }
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.bytes(), position, b, off, n);
        position += n;
        return n;
    }

    /** How many buffers the pump has made so far. */
    int buffers() {
        return allocated;
    }

    @Override
    public void close() throws IOException {
        pump.cancel(true);
        if (!started.compareAndSet(false, true)) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        source.close();
    }
}
