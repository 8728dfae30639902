package labdrop.error;

/** The user is known but their role or ownership does not allow the operation (HTTP 403). */
public class ForbiddenException extends LabdropException {
    public ForbiddenException(String message) {
        super(message);
    }
}
