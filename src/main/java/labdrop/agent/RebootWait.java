package labdrop.agent;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether this agent process ran the reboot command: while it waits for the reboot, a boot id that
 * has not changed yet is no failure. A new process (the SUT came back, or the agent was restarted)
 * starts without it and judges the boot id at once.
 */
final class RebootWait {
    /** How long this process waits for the reboot it asked for before it says none happened. */
    static final Duration WAIT = Duration.ofMinutes(10);
    private Instant issuedAt;

    void issued(Instant at) {
        issuedAt = at;
    }

    boolean waiting(Instant now) {
        return issuedAt != null && Duration.between(issuedAt, now).compareTo(WAIT) < 0;
    }
}
