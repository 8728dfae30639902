package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.SmokePackage;
import labdrop.ssh.EmbeddedSshServer;
import labdrop.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest on a cluster whose nodes do not watch the shared drop (ingest.watch = false, as on NFS),
 * with the result poll and the rescan an hour apart: a SUT's state and results written through a
 * node's own SSH server (SFTP to one node, an rsync push to the other) are ingested by that node
 * as each write ends, so requests run to Passed with no watcher and no scan.
 */
class ClusterIngestIT {
    @TempDir
    Path dir;
    private TestCluster cluster;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService agents = Executors.newFixedThreadPool(2);

    @BeforeEach
    void freshCluster() throws Exception {
        cluster = new TestCluster(dir);
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        stop.set(true);
        agents.shutdownNow();
        agents.awaitTermination(30, TimeUnit.SECONDS);
        cluster.close();
    }

    @Test
    void statesAndResultsWrittenThroughANodesSshServerAreIngestedAsTheWritesEndWithoutAWatcher() throws Exception {
        Map<String, int[]> ports = Map.of("node-a", new int[] {Ports.free(), Ports.free()},
                "node-b", new int[] {Ports.free(), Ports.free()});
        SmokePackage.publish(cluster.builtin(), "smoke", 0);
        for (Map.Entry<String, int[]> node : ports.entrySet()) {
            cluster.start(node.getKey(), Map.of("LABDROP_HTTP_PORT", Integer.toString(node.getValue()[0]),
                    "LABDROP_SSH_PORT", Integer.toString(node.getValue()[1]), "LABDROP_INGEST_WATCH", "false",
                    "LABDROP_INGEST_RESCAN_INTERVAL", "1h", "LABDROP_INGEST_RESULT_POLL_INTERVAL", "1h"));
        }
        for (String node : ports.keySet()) {
            cluster.awaitRunning(node);
        }
        String hostKey = Files.readString(dir.resolve("node-a/ssh_host_ed25519_key.pub")).strip();
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + ports.get("node-a")[1] + " "
                + hostKey + "\n[127.0.0.1]:" + ports.get("node-b")[1] + " " + hostKey + "\n");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        Map<String, String> urls = Map.of("sut-s", "sftp://sut-s@127.0.0.1:" + ports.get("node-a")[1] + "/",
                "sut-r", "rsync+ssh://sut-r@127.0.0.1:" + ports.get("node-b")[1] + "/");
        for (String host : urls.keySet()) {
            assertThat(cluster.cli("node-a", "host", "add", host, "--active").code()).isZero();
            Path key = EmbeddedSshServer.keyPair(dir.resolve("keys/" + host), host);
            assertThat(cluster.cli("node-a", "host", "key", "add", host, key.resolveSibling(host + ".pub").toString()).code())
                    .isZero();
            AgentConfig config = AgentConfig.load(null, cluster.agentEnv(host, urls.get(host), key, knownHosts,
                    "http://127.0.0.1:" + ports.get("node-a")[0]));
            agents.submit(TestCluster.pollUntil(stop, new Agent(config, Clock.systemUTC(), new Random(host.hashCode()))));
        }
        for (int round = 0; round < 2; round++) {
            for (String host : urls.keySet()) {
                TestCluster.CliRun filed = cluster.cli(round == 0 ? "node-a" : "node-b", "request", "file", "--as", "admin",
                        "--host", host, "--test", "smoke");
                assertThat(filed.code()).as(filed.out()).isZero();
            }
        }
        await("four requests Passed, by SSH-layer ingest alone").atMost(Duration.ofSeconds(90))
                .until(() -> passed() == 4);
        for (String node : ports.keySet()) {
            assertThat(cluster.log(node)).as(node).contains("0 hosts watched").doesNotContain("ignored state seq");
        }
    }

    private int passed() throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from requests where state = 'PASSED'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

}
