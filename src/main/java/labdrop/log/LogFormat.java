package labdrop.log;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the server's and the agent's own log lines are written to stderr (which systemd sends to
 * the journal): {@code text} ({@link ConsoleLogs}' pattern) or {@code json}, one JSON object per line by
 * Logback's own JsonEncoder, for shipping to Loki, Elasticsearch or the like.
 */
public final class LogFormat {
    private LogFormat() {
    }

    /** Switches the console to {@code format} ({@code text} or {@code json}, as the config checked). */
    public static void use(String format) {
        if (!"json".equals(format.toLowerCase(Locale.ROOT))
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(ConsoleLogs.APPENDER);
        if (appender instanceof OutputStreamAppender<ILoggingEvent> console) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithContext(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            json.start();
            console.stop();
            console.setEncoder(json);
            console.start();
        }
    }
}
