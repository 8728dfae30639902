package labdrop.pkg;

import java.util.List;
import labdrop.error.LabdropException;

/** No fetch location gave a verified copy of the package; the message lists each location and why. */
public class FetchFailedException extends LabdropException {
    private final List<String> reasons;

    FetchFailedException(String fileName, List<String> reasons) {
        super("package '" + fileName + "' could not be fetched from any of " + reasons.size() + " location"
                + (reasons.size() == 1 ? "" : "s") + " (tried: " + String.join("; ", reasons) + ")");
        this.reasons = List.copyOf(reasons);
    }

    public List<String> reasons() {
        return reasons;
    }
}
