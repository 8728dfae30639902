package labdrop.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
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
 * decoder must not be freed under a read).
 */
final class ReadAheadInput extends InputStream {
    static final int CHUNK = 1 << 20;
    static final int AHEAD = 4;
    private static final byte[] END = new byte[0];

    private final InputStream source;
    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(AHEAD);
    /** Set by whichever comes first: the pump starting, or a close before it started. */
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Future<?> pump;
    private volatile IOException failure;
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

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
                byte[] chunk = new byte[CHUNK];
                int n = source.readNBytes(chunk, 0, CHUNK);
                if (n == 0) {
                    break;
                }
                chunks.put(n == CHUNK ? chunk : Arrays.copyOf(chunk, n));
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
        while (position == current.length) {
            if (ended) {
                return -1;
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
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
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
