package labdrop.drop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import labdrop.error.BadInputException;

/**
 * Reads a file that a SUT wrote: no link following (neither the file nor a folder on its way
 * below the drop root), regular files only, a size cap.
 */
public final class SafeRead {
    private SafeRead() {
    }

    public static byte[] read(Path root, Path file, long maxBytes) throws IOException {
        BasicFileAttributes attributes = check(root, file);
        if (attributes.size() > maxBytes) {
            throw new BadInputException(file + " is " + attributes.size() + " bytes, over the cap of "
                    + maxBytes + " bytes; write a smaller file");
        }
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new BadInputException(file + " grew over the cap of " + maxBytes + " bytes while being read");
            }
            return bytes;
        }
    }

    /** A window of a file that may still grow (a log being pushed): at most {@code maxBytes} from {@code offset}. */
    public record Window(byte[] bytes, long offset, long size) {
        public long next() {
            return offset + bytes.length;
        }
    }

    /** Reads at most {@code maxBytes} from {@code offset}, under the same rules as {@link #read}. */
    public static Window window(Path root, Path file, long offset, int maxBytes) throws IOException {
        BasicFileAttributes attributes = check(root, file);
        long size = attributes.size();
        long from = Math.min(Math.max(0, offset), size);
        try (var channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(maxBytes, size - from));
            while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) > 0) {
                // keep reading until the window is full or the file ends
            }
            byte[] bytes = new byte[buffer.position()];
            buffer.flip().get(bytes);
            return new Window(bytes, from, size);
        }
    }

    private static BasicFileAttributes check(Path root, Path file) throws IOException {
        Path realRoot = root.toRealPath();
        Path logicalParent = file.toAbsolutePath().normalize().getParent();
        Path expected = realRoot.resolve(root.toAbsolutePath().normalize().relativize(logicalParent));
        if (!logicalParent.startsWith(root.toAbsolutePath().normalize())
                || !logicalParent.toRealPath().equals(expected)) {
            throw new BadInputException(file + " is not inside the drop " + realRoot
                    + " through real folders (a folder on its way is a symbolic link);"
                    + " only files in real folders under the drop are read");
        }
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            throw new BadInputException(file + " is a symbolic link; only regular files are accepted."
                    + " Write the file itself (temp name, then rename)");
        }
        if (!attributes.isRegularFile()) {
            throw new BadInputException(file + " is not a regular file; only regular files are accepted");
        }
        return attributes;
    }
}
