package labdrop.request;

import java.util.Arrays;
import java.util.stream.Collectors;
import labdrop.error.BadInputException;

/**
 * Queued → Placed → PickedUp → Running → Passed | Failed | Error | Aborted; or Cancelled, Rejected.
 * Aborted is infrastructure (agent killed, watchdog, reboot loop), distinct from Failed (a test said so).
 */
public enum RequestState {
    QUEUED("Queued"), PLACED("Placed"), PICKED_UP("PickedUp"), RUNNING("Running"),
    PASSED("Passed"), FAILED("Failed"), ERROR("Error"), ABORTED("Aborted"),
    CANCELLED("Cancelled"), REJECTED("Rejected");

    private final String label;

    RequestState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Placed on the host and not finished: at most one per host. */
    public boolean isActive() {
        return this == PLACED || this == PICKED_UP || this == RUNNING;
    }

    public boolean isFinal() {
        return ordinal() >= PASSED.ordinal();
    }

    public static RequestState parse(String label) {
        for (RequestState s : values()) {
            if (s.label.equalsIgnoreCase(label) || s.name().equalsIgnoreCase(label)) {
                return s;
            }
        }
        throw new BadInputException("request state '" + label + "' is not one of "
                + Arrays.stream(values()).map(RequestState::label).collect(Collectors.joining(", ")));
    }
}
