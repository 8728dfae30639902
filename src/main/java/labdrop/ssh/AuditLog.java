package labdrop.ssh;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import labdrop.log.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH audit log: one line per login, refusal and write, with the login name, the key's
 * fingerprint, the remote address and the path, each line flushed as it is written. Logback's
 * rolling appender, in a logger context of its own (whatever the console's configuration says), keeps it bounded:
 * past {@code maxBytes} the file becomes {@code .1} (older ones shift up to {@code .keep}, the
 * oldest is deleted) and a new one begins. Refusals are also logged as warnings, for the journal.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("labdrop.ssh.audit");
    private static final String AUDIT = "audit";
    private final LoggerContext context = new LoggerContext();
    private final Logger lines;
    private final Clock clock;

    public AuditLog(Path file, long maxBytes, int keep, Clock clock) {
        this.clock = clock;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of the SSH audit log " + file
                    + "; check ssh.audit-log and that its folder is writable", e);
        }
        context.setName("labdrop-ssh-audit");
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("ssh-audit");
        appender.setFile(file.toString());
        FixedWindowRollingPolicy window = new FixedWindowRollingPolicy();
        window.setContext(context);
        window.setParent(appender);
        window.setFileNamePattern(file + ".%i");
        window.setMinIndex(1);
        window.setMaxIndex(keep);
        window.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> size = new SizeBasedTriggeringPolicy<>();
        size.setContext(context);
        size.setMaxFileSize(new FileSize(maxBytes));
        size.setCheckIncrement(Duration.buildByMilliseconds(0)); // the size is checked at every line
        size.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        appender.setRollingPolicy(window);
        appender.setTriggeringPolicy(size);
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            String why = context.getStatusManager().getCopyOfStatusList().stream()
                    .filter(s -> s.getLevel() == Status.ERROR).map(Status::getMessage).findFirst().orElse("unknown");
            throw new UncheckedIOException(new IOException("cannot open the SSH audit log " + file + ": " + why
                    + "; check ssh.audit-log and that its folder is writable"));
        }
        context.getLogger(AUDIT).setAdditive(false);
        context.getLogger(AUDIT).addAppender(appender);
        lines = context.getLogger(AUDIT);
    }

    /** {@code event} is one word (login, refused, write, rename, remove, mkdir, exec); the rest describe it. */
    public void record(String event, String user, String fingerprint, String remote, String detail) {
        String line = clock.instant() + " " + event + " user=" + clean(user) + " key=" + clean(fingerprint)
                + " from=" + clean(remote) + " " + clean(detail);
        lines.info(line);
        if (event.equals("refused")) {
            try (LogContext ignored = LogContext.host(user == null ? null : clean(user))) {
                LOG.warn(line);
            }
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
    public void close() {
        context.stop();
    }
}
