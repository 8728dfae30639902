package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.SmokePackage;
import labdrop.cli.Main;
import labdrop.testing.Ports;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade by one minor step, as docs/cluster.md describes it: two nodes of this build
 * (N) behind HAProxy; node A is stopped and started as N+1 (this build's classes in a jar with a
 * newer Implementation-Version and one more, additive, migration), which migrates the store once;
 * node B, still N, goes on serving beside it; B cannot start again as N on the newer schema and
 * starts as N+1. A SUT's requests filed through either node pass at every step.
 */
class ClusterUpgradeIT {
    private static final String NEXT = "99.1-next";
    @TempDir
    Path dir;
    private TestCluster cluster;
    private TestHaproxy haproxy;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService agents = Executors.newSingleThreadExecutor();

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
        if (haproxy != null) {
            haproxy.close();
        }
    }

    @Test
    void nodesAreUpgradedOneAtATimeWhileTheOtherServesAndTheStoreIsMigratedOnce() throws Exception {
        Map<String, int[]> ports = Map.of("node-a", new int[] {Ports.free(), Ports.free()},
                "node-b", new int[] {Ports.free(), Ports.free()});
        int web = Ports.free();
        haproxy = TestHaproxy.start(dir, web, Ports.free(), ports);
        String lb = "http://127.0.0.1:" + web;
        SmokePackage.publish(cluster.builtin(), "smoke", 0);
        for (Map.Entry<String, int[]> node : ports.entrySet()) {
            cluster.start(node.getKey(), Map.of("LABDROP_HTTP_PORT", Integer.toString(node.getValue()[0]),
                    "LABDROP_SSH_PORT", Integer.toString(node.getValue()[1])));
        }
        cluster.awaitRunning("node-a");
        cluster.awaitRunning("node-b");
        await("the balancer answers").atMost(Duration.ofSeconds(20)).until(() -> TestCluster.answers(lb + "/readyz"));
        assertThat(cluster.cli("node-a", "host", "add", "sut-f", "--active").code()).isZero();
        String token = cluster.cli("node-a", "user", "token", "admin").out().strip();
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        AgentConfig config = AgentConfig.load(null, Map.of("LABDROP_HOST", "sut-f",
                "LABDROP_DROP_URL", "file://" + dir.resolve("drop/sut-f") + "/",
                "LABDROP_WORK_DIR", dir.resolve("agent").toString(), "LABDROP_FETCH_LOCATIONS", lb + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString()));
        agents.submit(TestCluster.pollUntil(stop, new Agent(config, Clock.systemUTC(), new Random(1))));
        List<String> filed = new ArrayList<>();
        filed.add(file(lb, token));
        awaitPassed(filed);

        MigrationVersion before = newestApplied();
        String n = versions(ports.get("node-b")[0], token).get("node-b");
        String next = nextBuild(before);

        // node A: drained (a clean stop), upgraded, started; it migrates the store
        stopCleanly("node-a");
        cluster.startBuild("node-a", next, Map.of());
        cluster.awaitRunning("node-a");
        assertThat(newestApplied()).as("N+1's migration applied").isGreaterThan(before);
        assertThat(versions(ports.get("node-b")[0], token)).as("N and N+1 side by side in the node list")
                .containsEntry("node-a", NEXT).containsEntry("node-b", n);

        // node B, still N, serves beside it: requests filed through each node pass
        filed.add(file("http://127.0.0.1:" + ports.get("node-b")[0], token));
        filed.add(file("http://127.0.0.1:" + ports.get("node-a")[0], token));
        filed.add(file(lb, token));
        awaitPassed(filed);
        assertThat(cluster.process("node-b").isAlive()).isTrue();

        // node B cannot start again as N on the newer schema; it starts as N+1
        stopCleanly("node-b");
        Process old = cluster.start("node-b", Map.of());
        assertThat(old.waitFor(60, TimeUnit.SECONDS)).as("N refuses the store N+1 migrated").isTrue();
        assertThat(old.exitValue()).isNotZero();
        assertThat(cluster.log("node-b")).contains("newer than the " + before + " this labdrop knows");
        cluster.startBuild("node-b", next, Map.of());
        cluster.awaitRunning("node-b");
        assertThat(versions(ports.get("node-a")[0], token)).containsEntry("node-a", NEXT).containsEntry("node-b", NEXT);
        filed.add(file("http://127.0.0.1:" + ports.get("node-b")[0], token));
        awaitPassed(filed);
        assertThat(migrationsApplied(newestApplied())).as("the new migration ran once, by one node").isEqualTo(1);
    }

    /**
     * Build N+1: this build's classes (target/classes, or the packaged jar when the ITs run after
     * {@code package}, as in {@code mvn verify}) in a jar whose manifest says {@link #NEXT}, with one
     * more migration (additive, as every minor step's are); the class path with it in place of this
     * build's.
     */
    private String nextBuild(MigrationVersion current) throws Exception {
        Path build = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = dir.resolve("labdrop-next.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, NEXT);
        int next = Integer.parseInt(current.getVersion()) + 1;
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            if (Files.isDirectory(build)) {
                copyFolder(build, j);
            } else {
                copyJar(build, j);
            }
            j.putNextEntry(new JarEntry("db/migration/V" + next + "__host_rack.sql"));
            j.write("alter table hosts add column rack varchar(64);\n".getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        String self = build.toString();
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(p -> Path.of(p).toAbsolutePath().toString().equals(self) ? jar.toString() : p)
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Every file and folder of {@code classes} (folders as entries too, as a packaged jar has them: a class loader finds db/migration/ by its entry). */
    private static void copyFolder(Path classes, JarOutputStream j) throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.sorted().toList()) {
                String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                if (name.isEmpty()) {
                    continue;
                }
                j.putNextEntry(new JarEntry(Files.isDirectory(f) ? name + "/" : name));
                if (!Files.isDirectory(f)) {
                    Files.copy(f, j);
                }
                j.closeEntry();
            }
        }
    }

    /** Every entry of the packaged jar but its manifest (N+1 has its own). */
    private static void copyJar(Path packaged, JarOutputStream j) throws IOException {
        try (JarFile in = new JarFile(packaged.toFile())) {
            for (JarEntry e : Collections.list(in.entries())) {
                if (e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME) || e.getName().equalsIgnoreCase("META-INF/")) {
                    continue;
                }
                j.putNextEntry(new JarEntry(e.getName()));
                if (!e.isDirectory()) {
                    try (InputStream data = in.getInputStream(e)) {
                        data.transferTo(j);
                    }
                }
                j.closeEntry();
            }
        }
    }

    private void stopCleanly(String node) throws InterruptedException {
        cluster.process(node).destroy();
        assertThat(cluster.process(node).waitFor(60, TimeUnit.SECONDS)).as(node + " stops on SIGTERM").isTrue();
    }

    private String file(String base, String token) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/requests"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"host\":\"sut-f\",\"tests\":[\"smoke\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        return new ObjectMapper().readTree(answer.body()).get("id").asText();
    }

    private void awaitPassed(List<String> ids) {
        await(ids + " Passed").atMost(Duration.ofSeconds(90)).until(() -> {
            Map<String, String> states = new HashMap<>();
            try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select num, state from requests")) {
                while (rs.next()) {
                    states.put("r-" + rs.getLong(1), rs.getString(2));
                }
            }
            return ids.stream().allMatch(id -> "PASSED".equals(states.get(id)));
        });
    }

    private Map<String, String> versions(int port, String token) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/cluster/nodes"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Map<String, String> versions = new HashMap<>();
        for (JsonNode node : new ObjectMapper().readTree(answer.body()).get("nodes")) {
            versions.put(node.get("node").asText(), node.get("version").asText());
        }
        return versions;
    }

    private MigrationVersion newestApplied() throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select version from flyway_schema_history where success and version is not null")) {
            MigrationVersion newest = MigrationVersion.EMPTY;
            while (rs.next()) {
                MigrationVersion v = MigrationVersion.fromVersion(rs.getString(1));
                newest = v.compareTo(newest) > 0 ? v : newest;
            }
            return newest;
        }
    }

    private int migrationsApplied(MigrationVersion version) throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from flyway_schema_history where version = '" + version + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
