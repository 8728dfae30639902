package labdrop.error;

/** The user's input broke a rule; the message names the input, the rule and what to do. */
public class BadInputException extends LabdropException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
