package labdrop.pkg;

import labdrop.error.BadInputException;

/** An upload over its size cap. */
public class PayloadTooLargeException extends BadInputException {
    public PayloadTooLargeException(String message) {
        super(message);
    }
}
