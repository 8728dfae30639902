package labdrop.pkg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A program of the SUT's own that the agent hands work to (lbzip2, bzip2, openssl, sha256sum): only where
 * a package manager puts it, {@code /usr/bin} then {@code /bin}, never a lookup on PATH.
 */
final class SystemProgram {
    private SystemProgram() {
    }

    /** {@code name} in /usr/bin or /bin, when it is installed there and executable. */
    static Optional<Path> find(String name) {
        return Stream.of(Path.of("/usr/bin", name), Path.of("/bin", name)).filter(Files::isExecutable).findFirst();
    }
}
