package labdrop.error;

/** A named thing (host, request, host type) does not exist. */
public class NotFoundException extends LabdropException {
    public NotFoundException(String message) {
        super(message);
    }
}
