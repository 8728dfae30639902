package labdrop.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import labdrop.error.BadInputException;
import labdrop.error.ConflictException;
import labdrop.error.ForbiddenException;
import labdrop.error.NotFoundException;
import labdrop.pkg.FetchFailedException;
import labdrop.pkg.UploadFailedException;
import org.jdbi.v3.core.JdbiException;
import picocli.CommandLine;

/**
 * The one place where failures become exit codes: 2 bad input, 3 not found, 4 conflict,
 * 5 infrastructure (store, drop, upload location, remote server), 6 verification mismatch, 7 not allowed (role or
 * ownership, on a remote server), 1 anything unexpected. The message goes to stderr.
 */
final class ExitCodes {
    static final int BAD_INPUT = 2;
    static final int NOT_FOUND = 3;
    static final int CONFLICT = 4;
    static final int INFRASTRUCTURE = 5;
    static final int MISMATCH = 6;
    static final int FORBIDDEN = 7;

    private ExitCodes() {
    }

    static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        int code;
        String message = e.getMessage();
        if (e instanceof BadInputException) {
            code = BAD_INPUT;
        } else if (e instanceof NotFoundException) {
            code = NOT_FOUND;
        } else if (e instanceof ConflictException) {
            code = CONFLICT;
        } else if (e instanceof ForbiddenException) {
            code = FORBIDDEN;
        } else if (e instanceof UploadFailedException || e instanceof FetchFailedException) {
            code = INFRASTRUCTURE;
        } else if (e instanceof IOException) {
            code = INFRASTRUCTURE;
        } else if (e instanceof UncheckedIOException || e instanceof JdbiException
                || e instanceof SQLException || e.getClass().getName().startsWith("com.zaxxer")
                || e.getClass().getName().startsWith("org.flywaydb")) {
            code = INFRASTRUCTURE;
            message = "store or drop unavailable: " + rootMessage(e);
        } else {
            code = 1;
            e.printStackTrace(commandLine.getErr());
        }
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + message);
        return code;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
