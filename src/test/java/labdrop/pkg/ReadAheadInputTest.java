package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadAheadInputTest {
    final ExecutorService pool = Executors.newFixedThreadPool(1);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void deliversEveryByteInOrder() throws Exception {
        byte[] data = new byte[5 * ReadAheadInput.CHUNK + 12345];
        new Random(7).nextBytes(data);
        try (InputStream in = new ReadAheadInput(new ByteArrayInputStream(data), pool)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void reusesItsBuffersWhateverTheLength() throws Exception {
        byte[] data = new byte[50 * ReadAheadInput.CHUNK + 7];
        new Random(11).nextBytes(data);
        try (ReadAheadInput in = new ReadAheadInput(new ByteArrayInputStream(data), pool)) {
            // small reads, so the pump refills buffers while the reader still copies out of others
            ByteArrayOutputStream got = new ByteArrayOutputStream(data.length);
            byte[] buffer = new byte[8191];
            for (int n; (n = in.read(buffer)) > 0; ) {
                got.write(buffer, 0, n);
            }
            assertThat(got.toByteArray()).isEqualTo(data);
            assertThat(in.buffers()).isLessThanOrEqualTo(ReadAheadInput.AHEAD + 1);
        }
    }

    @Test
    void aDecoderErrorReachesTheReaderAfterTheBytesBeforeIt() throws Exception {
        byte[] good = new byte[ReadAheadInput.CHUNK + 10];
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(good), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("CRC error");
            }
        });
        try (InputStream in = new ReadAheadInput(failing, pool)) {
            assertThat(in.readNBytes(ReadAheadInput.CHUNK)).hasSize(ReadAheadInput.CHUNK);
            assertThatThrownBy(in::readAllBytes).hasMessage("CRC error");
        }
    }

    @Test
    void readsAtMostAFewChunksAheadAndClosingStopsTheDecoderBeforeClosingIt() throws Exception {
        AtomicLong produced = new AtomicLong();
        AtomicBoolean readAfterClose = new AtomicBoolean();
        AtomicBoolean closed = new AtomicBoolean();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (closed.get()) {
                    readAfterClose.set(true);
                }
                produced.addAndGet(len);
                return len;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        InputStream in = new ReadAheadInput(endless, pool);
        assertThat(in.read()).isZero();
        Thread.sleep(200);
        // what the reader holds, the queue, and the one chunk the pump waits to put
        assertThat(produced.get()).isLessThanOrEqualTo((ReadAheadInput.AHEAD + 2L) * ReadAheadInput.CHUNK);
        in.close();
        assertThat(closed).isTrue();
        Thread.sleep(100);
        assertThat(readAfterClose).as("the decoder is not read once closed").isFalse();
    }
}
