package labdrop.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH audit log: one line per login, refusal and write, with the login name, the key's
 * fingerprint, the remote address and the path. Appended and flushed line by line.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("labdrop.ssh.audit");
    private final Writer out;
    private final Clock clock;

    public AuditLog(Path file, Clock clock) {
        this.clock = clock;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the SSH audit log " + file
                    + "; check ssh.audit-log and that its folder is writable", e);
        }
    }

    /** {@code event} is one word (login, refused, write, rename, remove, mkdir, exec); the rest describe it. */
    public synchronized void record(String event, String user, String fingerprint, String remote, String detail) {
        String line = clock.instant() + " " + event + " user=" + clean(user) + " key=" + clean(fingerprint)
                + " from=" + clean(remote) + " " + clean(detail);
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            LOG.error("cannot write the SSH audit log: {}; the line was: {}", e.getMessage(), line);
        }
        if (event.equals("refused")) {
            LOG.warn(line);
        }
    }

    private static String clean(String text) {
        if (text == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        text.codePoints().limit(300).forEach(c -> b.append(c < 0x20 || c == 0x7f ? "?" : Character.toString(c)));
        return b.toString();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
