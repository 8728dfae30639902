package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import labdrop.store.NodeRows;
import org.junit.jupiter.api.Test;

/** A node's state comes from its last heartbeat and whether it stopped cleanly. */
class NodeTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Duration DEAD_AFTER = Duration.ofSeconds(30);

    private static Node node(Instant heartbeat, Instant stopped) {
        return Node.of(new NodeRows.Row("a", "1.0", "http a:8080", NOW.minusSeconds(3600), heartbeat, stopped, "serving"),
                NOW, DEAD_AFTER);
    }

    @Test
    void aNodeIsAliveUntilItsHeartbeatIsOlderThanDeadAfterThenDeadAndStoppedAfterACleanStop() {
        assertThat(node(NOW.minusSeconds(5), null).state()).isEqualTo(Node.State.ALIVE);
        assertThat(node(NOW.minusSeconds(30), null).state()).isEqualTo(Node.State.ALIVE);
        assertThat(node(NOW.minusSeconds(31), null).state()).isEqualTo(Node.State.DEAD);
        assertThat(node(NOW.minusSeconds(31), NOW.minusSeconds(31)).state()).isEqualTo(Node.State.STOPPED);
    }
}
