package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.config.ServerConfig;
import labdrop.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real {@code labdrop server} processes with {@code cluster.enabled} on one PostgreSQL and
 * one drop folder: each node's heartbeat in the node list, the watchdog (a lab-wide Quartz timer
 * on the clustered JDBC job store) fired once per tick across the nodes and on after the node
 * that ran it is SIGKILLed, a dead node shown dead, and what a node refuses at start.
 */
class ClusterIT {
    private static final Pattern PORT = Pattern.compile("http port (\\d+)");
    @TempDir
    Path dir;
    private TestCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void freshCluster() throws Exception {
        cluster = new TestCluster(dir);
    }

    @AfterEach
    void stopNodes() {
        cluster.close();
    }

    @Test
    void theWatchdogFiresOncePerTickAcrossTheNodesAndGoesOnAfterTheNodeThatRanItIsKilled() throws Exception {
        for (String node : List.of("node-a", "node-b", "node-c")) {
            cluster.start(node, Map.of());
        }
        for (String node : cluster.names()) {
            await(node + " running").atMost(Duration.ofSeconds(120)).until(() -> cluster.running(node));
        }
        await("three nodes alive").atMost(Duration.ofSeconds(30)).until(() ->
                cluster.states("node-a").equals(Map.of("node-a", "alive", "node-b", "alive", "node-c", "alive")));

        Instant from = Instant.now();
        await("ten watchdog ticks").atMost(Duration.ofSeconds(60)).until(() -> runs(from).size() >= 10);
        List<Run> before = runs(from);
        assertThat(before).as("each tick ran on exactly one node: %s", before)
                .extracting(Run::tick).doesNotHaveDuplicates();
        assertThat(Duration.between(before.get(0).tick(), before.get(before.size() - 1).tick()).toSeconds())
                .as("one run a second, none skipped: %s", before).isEqualTo(before.size() - 1);

        String victim = before.get(before.size() - 1).node();
        Instant killed = Instant.now();
        cluster.kill(victim);
        String survivor = cluster.names().stream().filter(n -> !n.equals(victim)).findFirst().orElseThrow();

        await(victim + " shown dead").atMost(Duration.ofSeconds(20))
                .until(() -> "dead".equals(cluster.states(survivor).get(victim)));
        TestCluster.CliRun dead = cluster.cli(survivor, "cluster", "status");
        assertThat(dead.code()).as(dead.out()).isEqualTo(5);
        assertThat(dead.out()).containsPattern(victim + " +dead").containsPattern(survivor + " +alive");
        assertThat(metrics(survivor)).contains("labdrop_cluster_nodes{node=\"" + survivor + "\",state=\"dead\"} 1.0")
                .contains("labdrop_cluster_nodes{node=\"" + survivor + "\",state=\"alive\"} 2.0");

        Instant afterKill = Instant.now();
        await("ten more ticks on the two nodes left").atMost(Duration.ofSeconds(60))
                .until(() -> runs(afterKill).size() >= 10);
        List<Run> after = runs(afterKill);
        assertThat(after).extracting(Run::tick).doesNotHaveDuplicates();
        assertThat(after).extracting(Run::node).doesNotContain(victim);
        assertThat(runs(killed).stream().filter(r -> r.node().equals(victim)).toList())
                .as("nothing ran on the killed node after its kill").isEmpty();

        cluster.start(victim, Map.of());
        await(victim + " alive again").atMost(Duration.ofSeconds(120))
                .until(() -> "alive".equals(cluster.states(survivor).get(victim)));
        cluster.process(survivor).destroy();
        assertThat(cluster.process(survivor).waitFor(60, TimeUnit.SECONDS)).isTrue();
        String other = cluster.names().stream().filter(n -> !n.equals(victim) && !n.equals(survivor)).findFirst().orElseThrow();
        assertThat(cluster.states(other)).as("a clean stop shows stopped, not dead")
                .containsEntry(survivor, "stopped").containsEntry(victim, "alive").containsEntry(other, "alive");
    }

    @Test
    void aNodeRefusesTheEmbeddedStoreAndAStoreMigratedByANewerLabdrop() throws Exception {
        Process alone = cluster.start("node-h2", Map.of("LABDROP_DB_URL", ""));
        assertThat(alone.waitFor(60, TimeUnit.SECONDS)).as("a cluster node on H2 stops at once").isTrue();
        assertThat(alone.exitValue()).isNotZero();
        assertThat(cluster.log("node-h2")).contains("cluster.enabled = true needs a store every node shares")
                .contains("Set db.url to PostgreSQL");

        Store.open(new ServerConfig.Database(cluster.databaseUrl, "", "", 2, Duration.ZERO)).close();
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement()) {
            st.execute("insert into flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) values (999, '999', 'from a newer labdrop', 'SQL',"
                    + " 'V999__newer.sql', 0, 'test', 0, true)");
        }
        Process older = cluster.start("node-old", Map.of());
        assertThat(older.waitFor(60, TimeUnit.SECONDS)).as("a node older than the schema stops at once").isTrue();
        assertThat(older.exitValue()).isNotZero();
        assertThat(cluster.log("node-old")).contains("the store's schema is at version 999, newer than the")
                .contains("Upgrade this node's labdrop package before starting it");
    }

    private record Run(Instant tick, String node) {
    }

    private List<Run> runs(Instant since) throws Exception {
        List<Run> runs = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select scheduled_at, node_id from timer_runs where timer = 'watchdog'"
                     + " and scheduled_at >= '" + since + "' order by scheduled_at")) {
            while (rs.next()) {
                runs.add(new Run(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2)));
            }
        }
        return runs;
    }

    private String metrics(String node) throws Exception {
        Matcher port = PORT.matcher(cluster.log(node));
        assertThat(port.find()).as("the http port in %s's log", node).isTrue();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
