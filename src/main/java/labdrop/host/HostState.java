package labdrop.host;

import java.util.Arrays;
import java.util.stream.Collectors;
import labdrop.error.BadInputException;
import org.apache.maven.artifact.versioning.ComparableVersion;

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
     * Orders two agent versions as Maven orders versions (its {@code ComparableVersion}): numbers as
     * numbers ({@code 0.10.0 > 0.9.3}, {@code 0.2.0-rc.10 > 0.2.0-rc.9}), a pre-release older than its
     * release ({@code 0.2.0-SNAPSHOT}, {@code 0.2.0-rc.1} and {@code 0.2.0-beta} before {@code 0.2.0}),
     * trailing zeros ignored ({@code 1.2 = 1.2.0}).
     */
    public static int compareVersions(String a, String b) {
        return Integer.signum(new ComparableVersion(a).compareTo(new ComparableVersion(b)));
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
