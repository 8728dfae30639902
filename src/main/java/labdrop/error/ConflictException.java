package labdrop.error;

/** The thing exists but its state does not allow the operation (cancel a finished request, ...). */
public class ConflictException extends LabdropException {
    public ConflictException(String message) {
        super(message);
    }
}
