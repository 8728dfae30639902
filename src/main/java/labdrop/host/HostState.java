package labdrop.host;

import java.util.Arrays;
import java.util.stream.Collectors;
import labdrop.error.BadInputException;

/**
 * A host as the server sees it. Maint and Retired are the admins'; Pending is set on placement;
 * Install, Running, Rebooting and Available come from the SUT's state_file; Lost from the watchdog.
 */
public enum HostState {
    AVAILABLE("Available"), PENDING("Pending"), INSTALL("Install"), RUNNING("Running"),
    REBOOTING("Rebooting"), MAINT("Maint"), LOST("Lost"), RETIRED("Retired");

    private final String label;

    HostState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Held by an admin: SUT reports are recorded but do not change the state. */
    public boolean isAdminHeld() {
        return this == MAINT || this == RETIRED;
    }

    public static HostState parse(String label) {
        for (HostState s : values()) {
            if (s.label.equalsIgnoreCase(label) || s.name().equalsIgnoreCase(label)) {
                return s;
            }
        }
        throw new BadInputException("host state '" + label + "' is not one of "
                + Arrays.stream(values()).map(HostState::label).collect(Collectors.joining(", ")));
    }

    /** The state a SUT status from state_file maps to (Available, Pending, Install, Running, Rebooting). */
    public static HostState reported(String status) {
        HostState s = parse(status);
        if (s.ordinal() > REBOOTING.ordinal()) {
            throw new BadInputException("status '" + status + "' is not one a SUT may report");
        }
        return s;
    }
}
