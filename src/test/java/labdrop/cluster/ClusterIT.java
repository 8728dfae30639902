package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
import java.util.concurrent.CompletableFuture;
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
            cluster.awaitRunning(node);
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

        Store.open(ServerConfig.Database.own(cluster.databaseUrl, "", "", 2)).close();
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

    @Test
    void aChangeMadeThroughOneNodeAnswersAPollHeldByAnotherAtOnceAndPollsAreCountedAcrossNodes() throws Exception {
        cluster.start("node-a", Map.of());
        cluster.start("node-b", Map.of());
        for (String node : cluster.names()) {
            cluster.awaitRunning(node);
        }
        assertThat(cluster.cli("node-a", "host", "add", "sut-1", "--active").code()).isZero();
        String token = cluster.cli("node-a", "host", "token", "sut-1").out().strip();
        HttpResponse<String> first = bell("node-b", token, null, "");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String etag = first.headers().firstValue("ETag").orElseThrow();

        // node-b holds the poll; the change is made through node-a alone (a config edit there)
        CompletableFuture<HttpResponse<String>> held = http.sendAsync(bellRequest("node-b", token, etag, "?wait=55"),
                HttpResponse.BodyHandlers.ofString());
        await("node-b holds the poll").atMost(Duration.ofSeconds(10))
                .until(() -> metrics("node-b").contains("labdrop_polls_held{node=\"node-b\"} 1.0"));
        Path notes = dir.resolve("notes");
        Files.writeString(notes, "on the second shelf\n");
        TestCluster.CliRun set = cluster.cli("node-a", "host", "config", "set", "sut-1", "notes", "--from",
                notes.toString(), "--as", "admin");
        assertThat(set.code()).as(set.out()).isZero();
        Instant changed = Instant.now();
        HttpResponse<String> answered = held.get(30, TimeUnit.SECONDS);
        Duration late = Duration.between(changed, Instant.now());
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(answered.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
        assertThat(late).as("answered on node-b's notice, not at its feed timer's turn (every 5 s)")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(metrics("node-b")).containsPattern("labdrop_doorbell_notices_total\\{node=\"node-b\"} [1-9]");
        assertThat(cluster.log("node-b")).doesNotContain("lost the store's notices");

        for (int i = 0; i < 3; i++) {
            assertThat(bell("node-a", token, null, "").statusCode()).isEqualTo(200);
        }
        await("node-b shows the polls node-a answered").atMost(Duration.ofSeconds(30))
                .until(() -> pollCount("node-b", token) >= 5);
        await("node-a shows the polls node-b answered").atMost(Duration.ofSeconds(30))
                .until(() -> pollCount("node-a", token) >= 5);
        cluster.kill("node-a");
        cluster.kill("node-b");
        cluster.start("node-a", Map.of());
        cluster.awaitRunning("node-a");
        assertThat(pollCount("node-a", token)).as("the counts outlive a restart").isGreaterThanOrEqualTo(5);
    }

    private long pollCount(String node, String doorbellToken) throws Exception {
        String admin = cluster.cli(node, "user", "token", "admin").out().strip();
        HttpResponse<String> host = http.send(HttpRequest.newBuilder(URI.create(base(node) + "/api/v1/hosts/sut-1"))
                .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(host.body()).get("polls").get("count").asLong();
    }

    private HttpResponse<String> bell(String node, String token, String etag, String query) throws Exception {
        return http.send(bellRequest(node, token, etag, query), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest bellRequest(String node, String token, String etag, String query) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(node) + "/api/v1/hosts/sut-1/generation" + query))
                .header("Authorization", "Bearer " + token);
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        return b.build();
    }

    private String base(String node) throws Exception {
        String log = cluster.log(node);
        int start = log.lastIndexOf("labdrop server started");
        Matcher port = PORT.matcher(log.substring(Math.max(0, start)));
        assertThat(port.find()).as("the http port in %s's log", node).isTrue();
        return "http://127.0.0.1:" + port.group(1);
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
        return http.send(HttpRequest.newBuilder(URI.create(base(node) + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
