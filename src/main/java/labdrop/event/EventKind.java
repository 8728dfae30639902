package labdrop.event;

import java.util.Arrays;
import java.util.stream.Collectors;
import labdrop.error.BadInputException;

/** What the lab tells webhooks and mail subscribers about, by the name they see in bodies and headers. */
public enum EventKind {
    REQUEST_FINISHED("request.finished"),
    JOB_FINISHED("job.finished"),
    REGRESSION("regression.new"),
    HOST_LOST("host.lost"),
    HOST_MAINT("host.maint"),
    HOST_UNHEALTHY("host.unhealthy");

    private final String label;

    EventKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static EventKind of(String label) {
        String wanted = label == null ? "" : label.strip();
        return Arrays.stream(values()).filter(k -> k.label.equals(wanted)).findFirst()
                .orElseThrow(() -> new BadInputException("event '" + wanted + "' is not one labdrop sends; choose from "
                        + allLabels()));
    }

    public static String allLabels() {
        return Arrays.stream(values()).map(EventKind::label).collect(Collectors.joining(", "));
    }
}
