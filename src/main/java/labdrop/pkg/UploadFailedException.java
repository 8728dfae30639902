package labdrop.pkg;

import labdrop.error.LabdropException;

/** An upload location failed; the message names it. */
public class UploadFailedException extends LabdropException {
    UploadFailedException(String location, String why) {
        super("upload to " + location + " failed: " + why);
    }
}
