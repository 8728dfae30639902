package labdrop.request;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import labdrop.error.BadInputException;

/** A request's priority; higher ranks are placed first, then earlier filings. */
public enum Priority {
    LOW, NORMAL, HIGH, URGENT;

    public int rank() {
        return ordinal();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Priority parse(String text) {
        for (Priority p : values()) {
            if (p.label().equals(text)) {
                return p;
            }
        }
        throw new BadInputException("priority '" + text + "' is not one of "
                + Arrays.stream(values()).map(Priority::label).collect(Collectors.joining(", ")));
    }

    public static Priority ofRank(int rank) {
        return values()[rank];
    }
}
