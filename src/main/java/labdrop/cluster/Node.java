package labdrop.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import labdrop.store.NodeRows;

/**
 * One server node as the cluster sees it: what it runs, where it answers, its last heartbeat and
 * whether that makes it alive, dead (no heartbeat for {@code cluster.dead-after}) or stopped (a
 * clean stop).
 */
public record Node(String id, String version, String address, Instant startedAt, Instant heartbeatAt, State state,
                   String doing) {

    public enum State {
        ALIVE, DEAD, STOPPED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static Node of(NodeRows.Row row, Instant now, Duration deadAfter) {
        State state = row.stoppedAt() != null ? State.STOPPED
                : row.heartbeatAt().plus(deadAfter).isBefore(now) ? State.DEAD : State.ALIVE;
        return new Node(row.node(), row.version(), row.address(), row.startedAt(), row.heartbeatAt(), state, row.doing());
    }
}
