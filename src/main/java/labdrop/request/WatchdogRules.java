package labdrop.request;

import java.time.Duration;
import labdrop.host.HostState;

/**
 * The server's watchdog as a rule (docs/design.md "The agent's run"): a host whose placed request
 * has been silent past the heartbeat is Lost (unless an admin holds it, or it already is); past
 * the heartbeat plus the grace period the request is Aborted, the infrastructure's fault.
 */
public final class WatchdogRules {
    private WatchdogRules() {
    }

    /** What the watchdog does to a placed, unfinished request and its host. */
    public record Verdict(boolean abortRequest, boolean hostLost) {
    }

    /** @param silence how long since the host's last report, or since placement if that is later */
    public static Verdict judge(Duration silence, Duration heartbeat, Duration grace, HostState hostState) {
        boolean abort = silence.compareTo(heartbeat.plus(grace)) > 0;
        boolean lost = silence.compareTo(heartbeat) > 0 && !hostState.isAdminHeld() && hostState != HostState.LOST;
        return new Verdict(abort, lost);
    }
}
