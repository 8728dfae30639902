package labdrop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** cluster.* keys: a cluster needs a shared PostgreSQL store, a valid node id and a sane dead-after. */
class ClusterConfigTest {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/labdrop";

    private static ServerConfig load(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(Map.of("LABDROP_STATE_DIR", "/tmp/labdrop-cluster-config-test"));
        settings.forEach((k, v) -> env.put("LABDROP_" + k.toUpperCase().replace('.', '_').replace('-', '_'), v));
        return ServerConfig.load(null, env);
    }

    @Test
    void aClusterOnTheEmbeddedH2StoreIsRefusedWithTheReasonAndTheFix() {
        assertThatThrownBy(() -> load(Map.of("cluster.enabled", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.enabled = true needs a store every node shares")
                .hasMessageContaining("embedded H2 file, which belongs to one server process")
                .hasMessageContaining("Set db.url to PostgreSQL");
        assertThatThrownBy(() -> load(Map.of("cluster.enabled", "true", "db.url", "jdbc:mysql://db/labdrop")))
                .hasMessageContaining("'jdbc:mysql://db/labdrop'");
    }

    @Test
    void aNodeOnPostgresqlTakesItsIdOrTheMachinesName() {
        ServerConfig.Cluster named = load(Map.of("cluster.enabled", "true", "db.url", PG, "cluster.node-id", "node-a")).cluster();
        assertThat(named.enabled()).isTrue();
        assertThat(named.nodeId()).isEqualTo("node-a");
        assertThat(named.heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(named.deadAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(load(Map.of("cluster.enabled", "true", "db.url", PG)).cluster().nodeId())
                .isEqualTo(ServerConfig.machineName()).isNotEmpty();
        assertThat(load(Map.of()).cluster().enabled()).isFalse();
        assertThat(load(Map.of()).cluster().nodeId()).isEmpty();
    }

    @Test
    void aBadNodeIdOrADeadAfterShorterThanTwoHeartbeatsIsRefused() {
        assertThatThrownBy(() -> load(Map.of("cluster.enabled", "true", "db.url", PG, "cluster.node-id", "../node a")))
                .hasMessageContaining("cluster.node-id '../node a' is not a node id");
        assertThatThrownBy(() -> load(Map.of("cluster.enabled", "true", "db.url", PG, "cluster.node-id", "a",
                "cluster.heartbeat", "10s", "cluster.dead-after", "15s")))
                .hasMessageContaining("cluster.dead-after (PT15S) is shorter than two cluster.heartbeat (PT10S)");
    }
}
