package labdrop.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration, in Java (found through Logback's {@code Configurator} service): one
 * appender to stderr, which systemd sends to the journal, with lines like
 * {@code 12:00:00.000 INFO  l.queue.Placer [host=sut-m1, request=r-1] - placed …} (the MDC's host
 * and request, see {@link LogContext}); {@code labdrop} loggers at {@code labdrop.log.level}
 * (INFO for the server, WARN for CLI commands, set by labdrop.cli.Main), everything else at WARN.
 * Java rather than logback.xml because parsing the XML is a quarter of a short CLI command's
 * start-up. {@code -Dlogback.configurationFile=FILE} still replaces all of this with the file.
 * {@code log.format = json} swaps this appender's encoder ({@link LogFormat}).
 */
public final class ConsoleLogs extends ContextAwareBase implements Configurator {
    static final String APPENDER = "STDERR";
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20}%replace( [%X]){' \\[\\]', ''} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER);
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        context.getLogger("labdrop").setLevel(Level.toLevel(System.getProperty("labdrop.log.level"), Level.INFO));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
