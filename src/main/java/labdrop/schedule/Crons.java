package labdrop.schedule;

import java.text.ParseException;
import labdrop.config.ConfigException;
import labdrop.config.ServerConfig;
import org.quartz.CronExpression;

/**
 * Cron keys checked when the configuration is loaded, by Quartz itself (the scheduler that will
 * run them), so a typo stops start-up with the file and line instead of surfacing later.
 */
public final class Crons {
    /** What a valid value looks like, for the loader's message. */
    public static final String DESCRIBE = "a Quartz cron expression (seconds minutes hours day-of-month month"
            + " day-of-week, one of the two days '?', e.g. 0 0/2 * * * ?)";

    private Crons() {
    }

    /** The expression itself when Quartz accepts it; else an IllegalArgumentException with Quartz's reason. */
    public static String check(String expression) {
        try {
            CronExpression.validateExpression(expression.strip());
            return expression.strip();
        } catch (ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The server's cron keys (watchdog.cron), reported with where each was set. */
    public static void checkServer(ServerConfig config) {
        String cron = config.watchdog().cron();
        try {
            check(cron);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(config.source("watchdog.cron") + ": key 'watchdog.cron' has the value '" + cron
                    + "', which is not " + DESCRIBE + " (Quartz: " + e.getMessage() + ").");
        }
    }
}
