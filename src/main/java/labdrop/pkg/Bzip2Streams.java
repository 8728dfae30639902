package labdrop.pkg;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds where each bzip2 stream starts in a file: "BZh" + block-size digit + the block magic
 * (or the end-of-stream magic, for an empty stream), byte-aligned. A false match inside
 * compressed data would need ten exact bytes in a row; the installer still checks that each
 * stream ends where the next begins and falls back to a sequential decode if not.
 */
final class Bzip2Streams {
    private static final byte[] BLOCK = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
    private static final byte[] END = {0x17, 0x72, 0x45, 0x38, 0x50, (byte) 0x90};

    private Bzip2Streams() {
    }

    static List<Long> offsets(Path file) throws IOException {
        List<Long> offsets = new ArrayList<>();
        byte[] window = new byte[10];
        long position = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            int filled = 0;
            for (int b; (b = in.read()) >= 0; position++) {
                if (filled < 10) {
                    window[filled++] = (byte) b;
                } else {
                    System.arraycopy(window, 1, window, 0, 9);
                    window[9] = (byte) b;
                }
                if (filled == 10 && isStart(window)) {
                    offsets.add(position - 9);
                }
            }
        }
        return offsets;
    }

    private static boolean isStart(byte[] w) {
        if (w[0] != 'B' || w[1] != 'Z' || w[2] != 'h' || w[3] < '1' || w[3] > '9') {
            return false;
        }
        boolean block = true;
        boolean end = true;
        for (int i = 0; i < 6; i++) {
            block &= w[4 + i] == BLOCK[i];
            end &= w[4 + i] == END[i];
        }
        return block || end;
    }
}
