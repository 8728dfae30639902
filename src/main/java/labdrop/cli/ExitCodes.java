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
    /**
     * {@link #handle} as picocli's handler: a class, not {@code ExitCodes::handle}, because a lambda
     * implementing picocli's interface (compiled for Java 5) keeps that interface out of the CLI's
     * start-up archive (appliance/cli-archive), and loading it then opens every jar of lib/.
     */
    static final class Handler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
            return handle(e, commandLine, parsed);
        }
    }

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
