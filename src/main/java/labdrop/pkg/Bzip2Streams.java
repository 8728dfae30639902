package labdrop.pkg;

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
    /** "BZh", the block size and six bytes of magic. */
    private static final int MAGIC = 10;

    private Bzip2Streams() {
    }

    /** The offsets, read in 64 KiB chunks (a 24 MB package in a few milliseconds). */
    static List<Long> offsets(Path file) throws IOException {
        List<Long> offsets = new ArrayList<>();
        byte[] buf = new byte[(1 << 16) + MAGIC];
        long base = 0; // the file position of buf[0]
        int carry = 0; // bytes at the front of buf not yet checked as a start
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.readNBytes(buf, carry, buf.length - carry)) > 0; ) {
                int filled = carry + n;
                int checked = Math.max(0, filled - MAGIC + 1);
                for (int i = 0; i < checked; i++) {
                    if (buf[i] == 'B' && isStart(buf, i)) {
                        offsets.add(base + i);
                    }
                }
                carry = filled - checked;
                System.arraycopy(buf, checked, buf, 0, carry);
                base += checked;
            }
        }
        return offsets;
    }

    private static boolean isStart(byte[] w, int at) {
        if (w[at] != 'B' || w[at + 1] != 'Z' || w[at + 2] != 'h' || w[at + 3] < '1' || w[at + 3] > '9') {
            return false;
        }
        boolean block = true;
        boolean end = true;
        for (int i = 0; i < 6; i++) {
            block &= w[at + 4 + i] == BLOCK[i];
            end &= w[at + 4 + i] == END[i];
        }
        return block || end;
    }
}
