package labdrop.pkg;

import java.io.IOException;
import java.io.InputStream;

/** {@link InputStream#read()} for the package streams that do their work in {@code read(byte[], int, int)}. */
final class SingleByte {
    private SingleByte() {
    }

    static int read(InputStream in) throws IOException {
        byte[] one = new byte[1];
        return in.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
}
