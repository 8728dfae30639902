package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
    private String databaseUrl;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void freshDatabase() throws Exception {
        String admin = System.getenv("LABDROP_TEST_PG_URL");
        if (admin == null) {
            throw new IllegalStateException("LABDROP_TEST_PG_URL is not set: run the README's test command (.ci/test),"
                    + " which starts PostgreSQL, or set it to a superuser JDBC URL");
        }
        String name = "labdrop_cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(admin)) {
            c.createStatement().execute("create database " + name);
        }
        databaseUrl = admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
        Files.createDirectories(dir.resolve("drop"));
        Files.createDirectories(dir.resolve("host-types"));
    }

    @AfterEach
    void stopNodes() {
        nodes.values().forEach(Process::destroyForcibly);
    }

    @Test
    void theWatchdogFiresOncePerTickAcrossTheNodesAndGoesOnAfterTheNodeThatRanItIsKilled() throws Exception {
        for (String node : List.of("node-a", "node-b", "node-c")) {
            nodes.put(node, start(node, Map.of()));
        }
        for (String node : nodes.keySet()) {
            await(node + " running").atMost(Duration.ofSeconds(120)).until(() -> log(node).contains("labdrop server running"));
        }
        await("three nodes alive").atMost(Duration.ofSeconds(30)).until(() ->
                states(status("node-a")).equals(Map.of("node-a", "alive", "node-b", "alive", "node-c", "alive")));

        Instant from = Instant.now();
        await("ten watchdog ticks").atMost(Duration.ofSeconds(60)).until(() -> runs(from).size() >= 10);
        List<Run> before = runs(from);
        assertThat(before).as("each tick ran on exactly one node: %s", before)
                .extracting(Run::tick).doesNotHaveDuplicates();
        assertThat(Duration.between(before.get(0).tick(), before.get(before.size() - 1).tick()).toSeconds())
                .as("one run a second, none skipped: %s", before).isEqualTo(before.size() - 1);

        String victim = before.get(before.size() - 1).node();
        Instant killed = Instant.now();
        nodes.get(victim).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        String survivor = nodes.keySet().stream().filter(n -> !n.equals(victim)).findFirst().orElseThrow();

        await(victim + " shown dead").atMost(Duration.ofSeconds(20))
                .until(() -> "dead".equals(states(status(survivor)).get(victim)));
        ChildRun dead = cli(survivor, "cluster", "status");
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

        nodes.put(victim, start(victim, Map.of()));
        await(victim + " alive again").atMost(Duration.ofSeconds(120))
                .until(() -> "alive".equals(states(status(survivor)).get(victim)));
        nodes.get(survivor).destroy();
        assertThat(nodes.get(survivor).waitFor(60, TimeUnit.SECONDS)).isTrue();
        String other = nodes.keySet().stream().filter(n -> !n.equals(victim) && !n.equals(survivor)).findFirst().orElseThrow();
        assertThat(states(status(other))).as("a clean stop shows stopped, not dead")
                .containsEntry(survivor, "stopped").containsEntry(victim, "alive").containsEntry(other, "alive");
    }

    @Test
    void aNodeRefusesTheEmbeddedStoreAndAStoreMigratedByANewerLabdrop() throws Exception {
        Map<String, String> h2 = new HashMap<>(Map.of("LABDROP_DB_URL", ""));
        Process alone = start("node-h2", h2);
        assertThat(alone.waitFor(60, TimeUnit.SECONDS)).as("a cluster node on H2 stops at once").isTrue();
        assertThat(alone.exitValue()).isNotZero();
        assertThat(log("node-h2")).contains("cluster.enabled = true needs a store every node shares")
                .contains("Set db.url to PostgreSQL");

        Store.open(new ServerConfig.Database(databaseUrl, "", "", 2)).close();
        try (Connection c = DriverManager.getConnection(databaseUrl); Statement st = c.createStatement()) {
            st.execute("insert into flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) values (999, '999', 'from a newer labdrop', 'SQL',"
                    + " 'V999__newer.sql', 0, 'test', 0, true)");
        }
        Process older = start("node-old", Map.of());
        assertThat(older.waitFor(60, TimeUnit.SECONDS)).as("a node older than the schema stops at once").isTrue();
        assertThat(older.exitValue()).isNotZero();
        assertThat(log("node-old")).contains("the store's schema is at version 999, newer than the")
                .contains("Upgrade this node's labdrop package before starting it");
    }

    private record Run(Instant tick, String node) {
    }

    private record ChildRun(int code, String out) {
    }

    private List<Run> runs(Instant since) throws Exception {
        List<Run> runs = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(databaseUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select scheduled_at, node_id from timer_runs where timer = 'watchdog'"
                     + " and scheduled_at >= '" + since + "' order by scheduled_at")) {
            while (rs.next()) {
                runs.add(new Run(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2)));
            }
        }
        return runs;
    }

    private Map<String, String> env(String node) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_STATE_DIR", dir.resolve(node).toString());
        env.put("LABDROP_DROP_DIR", dir.resolve("drop").toString());
        env.put("LABDROP_HOST_TYPES_DIR", dir.resolve("host-types").toString());
        env.put("LABDROP_DB_URL", databaseUrl);
        env.put("LABDROP_HTTP_HOST", "127.0.0.1");
        env.put("LABDROP_HTTP_PORT", "0");
        env.put("LABDROP_SSH_HOST", "127.0.0.1");
        env.put("LABDROP_SSH_PORT", "0");
        env.put("LABDROP_CLUSTER_ENABLED", "true");
        env.put("LABDROP_CLUSTER_NODE_ID", node);
        env.put("LABDROP_CLUSTER_HEARTBEAT", "1s");
        env.put("LABDROP_CLUSTER_DEAD_AFTER", "3s");
        env.put("LABDROP_WATCHDOG_CRON", "0/1 * * * * ?");
        return env;
    }

    private Process start(String node, Map<String, String> overrides) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "labdrop.cli.Main", "server")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".log").toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        builder.environment().putAll(env(node));
        builder.environment().putAll(overrides);
        return builder.start();
    }

    private String log(String node) throws Exception {
        Path log = dir.resolve(node + ".log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private ChildRun cli(String node, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "labdrop.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        builder.environment().putAll(env(node));
        Process cli = builder.start();
        cli.getOutputStream().close();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as("labdrop " + String.join(" ", args)).isTrue();
        return new ChildRun(cli.exitValue(), out);
    }

    private JsonNode status(String node) throws Exception {
        ChildRun run = cli(node, "cluster", "status", "--json");
        return new ObjectMapper().readTree(run.out());
    }

    private static Map<String, String> states(JsonNode cluster) {
        Map<String, String> states = new HashMap<>();
        cluster.get("nodes").forEach(n -> states.put(n.get("node").asText(), n.get("state").asText()));
        return states;
    }

    private String metrics(String node) throws Exception {
        Matcher port = PORT.matcher(log(node));
        assertThat(port.find()).as("the http port in %s's log", node).isTrue();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
