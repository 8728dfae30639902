package labdrop.host;

import java.time.Instant;

/** A host (SUT) as the store holds it, with the verdict of its last health check. */
public record Host(String name, String type, String labels, String owner, boolean ownerOnly,
                   HostState state, String reportedStatus, long lastSeq, Instant lastSeen, String bootId,
                   String step, String agentVersion, String currentRequest, String message,
                   String hardResetCommand, String ingestError, Instant stateSince, HostHealth health) {

    /** This host after a report of {@code reported} that left it in {@code state}. */
    public Host reported(HostState state, HostState reported) {
        return new Host(name, type, labels, owner, ownerOnly, state, reported.name(), lastSeq, lastSeen, bootId, step,
                agentVersion, currentRequest, message, hardResetCommand, ingestError, stateSince, health);
    }
}
