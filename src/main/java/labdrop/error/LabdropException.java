package labdrop.error;

/**
 * Base of every failure a user can act on. The CLI maps each subtype to an exit code
 * in one place ({@code labdrop.cli.ExitCodes}); the web issue maps them to HTTP statuses.
 */
public abstract class LabdropException extends RuntimeException {
    protected LabdropException(String message) {
        super(message);
    }

    protected LabdropException(String message, Throwable cause) {
        super(message, cause);
    }
}
