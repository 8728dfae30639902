package labdrop.pkg;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import labdrop.error.BadInputException;

/** Counts decoded bytes and stops a decompression bomb early: a total cap and a cap on the ratio to the compressed size. */
final class CappedInput extends FilterInputStream {
    private final String source;
    private final long limit;
    private final String rule;
    private long count;

    CappedInput(InputStream in, String source, long compressedSize, InstallLimits limits) {
        super(in);
        this.source = source;
        long byRatio = compressedSize * limits.maxRatio() + (1 << 20);
        this.limit = Math.min(limits.maxBytes(), byRatio);
        this.rule = limit == limits.maxBytes() ? "the cap of " + limits.maxBytes() + " bytes"
                : limits.maxRatio() + " times its compressed size of " + compressedSize + " bytes";
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(long n) {
        count += n;
        if (count > limit) {
            throw new BadInputException(source + " decompresses past " + rule
                    + " (a decompression bomb, or raise the install limits); nothing was installed");
        }
    }
}
