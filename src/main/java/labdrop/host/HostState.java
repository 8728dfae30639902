package labdrop.host;

import java.util.Arrays;
import java.util.stream.Collectors;
import labdrop.error.BadInputException;

/**
 * A host as the server sees it. Maint and Retired are the admins'; Pending is set on placement;
 * Install, Running, Rebooting and Available come from the SUT's state_file; Lost from the watchdog;
 * Outdated from ingest, when the SUT's agent is older than agent.min-version (it gets no requests).
 */
public enum HostState {
    AVAILABLE("Available"), PENDING("Pending"), INSTALL("Install"), RUNNING("Running"),
    REBOOTING("Rebooting"), MAINT("Maint"), LOST("Lost"), RETIRED("Retired"), OUTDATED("Outdated");

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

    /**
     * Compares two agent versions part by part ({@code 0.10.0 > 0.9.3}; numbers as numbers); a
     * pre-release ({@code 0.2.0-SNAPSHOT}) is older than its release. Unparseable parts compare as text.
     */
    public static int compareVersions(String a, String b) {
        String[] x = a.split("-", 2);
        String[] y = b.split("-", 2);
        String[] xs = x[0].split("\\.");
        String[] ys = y[0].split("\\.");
        for (int i = 0; i < Math.max(xs.length, ys.length); i++) {
            String p = i < xs.length ? xs[i] : "0";
            String q = i < ys.length ? ys[i] : "0";
            int c = p.matches("[0-9]{1,9}") && q.matches("[0-9]{1,9}") ? Integer.compare(Integer.parseInt(p), Integer.parseInt(q))
                    : p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        if (x.length != y.length) {
            return x.length == 1 ? 1 : -1;
        }
        return x.length == 2 ? x[1].compareTo(y[1]) : 0;
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
