package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import labdrop.agent.Agent;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Real {@code labdrop server} processes as nodes of one cluster for a test: a fresh PostgreSQL
 * database (from LABDROP_TEST_PG_URL, which the README's test command sets), one shared drop and
 * host-types folder, a state folder and log per node, and the CLI run against a node.
 */
final class TestCluster implements AutoCloseable {
    record CliRun(int code, String out) {
    }

    final Path dir;
    final String databaseUrl;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> settings = new HashMap<>();
    /** Where each node's latest start begins in its log. */
    private final Map<String, Integer> logStarts = new HashMap<>();

    TestCluster(Path dir) throws Exception {
        this.dir = dir;
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
        Files.createDirectories(dir.resolve("packages/builtin"));
        Files.createDirectories(dir.resolve("packages/custom"));
    }

    /** The package repository every node serves as {@code builtin}. */
    Path builtin() {
        return dir.resolve("packages/builtin");
    }

    /** The environment node {@code node} runs with: shared drop, host types and repositories; a 1 s heartbeat, dead after 3 s, the watchdog every second. */
    Map<String, String> env(String node) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_STATE_DIR", dir.resolve(node).toString());
        env.put("LABDROP_DROP_DIR", dir.resolve("drop").toString());
        env.put("LABDROP_HOST_TYPES_DIR", dir.resolve("host-types").toString());
        env.put("LABDROP_UPLOAD_LOCATION", dir.resolve("packages/builtin").toString());
        env.put("LABDROP_CUSTOM_UPLOAD_LOCATION", dir.resolve("packages/custom").toString());
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
        env.putAll(settings.getOrDefault(node, Map.of()));
        return env;
    }

    /** Starts node {@code node} with {@code overrides} (kept for its restarts) on top of {@link #env}. */
    Process start(String node, Map<String, String> overrides, String... jvmOptions) throws IOException {
        return startBuild(node, System.getProperty("java.class.path"), overrides, jvmOptions);
    }

    /** {@link #start}, of another build of labdrop: {@code classPath} instead of this test's. */
    Process startBuild(String node, String classPath, Map<String, String> overrides, String... jvmOptions) throws IOException {
        settings.computeIfAbsent(node, n -> new HashMap<>()).putAll(overrides);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classPath, "labdrop.cli.Main", "server"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".log").toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        builder.environment().putAll(env(node));
        logStarts.put(node, log(node).length());
        Process process = builder.start();
        nodes.put(node, process);
        return process;
    }

    Process process(String node) {
        return nodes.get(node);
    }

    List<String> names() {
        return List.copyOf(nodes.keySet());
    }

    /** SIGKILL, waited for. */
    void kill(String node) throws InterruptedException {
        nodes.get(node).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** The node's log so far (its server's standard output and error, every start appended). */
    String log(String node) throws IOException {
        Path log = dir.resolve(node + ".log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** True once the node's latest start printed "labdrop server running". */
    boolean running(String node) throws IOException {
        String log = log(node);
        int start = log.indexOf("labdrop server started", logStarts.getOrDefault(node, 0));
        if (!nodes.get(node).isAlive()) {
            String since = log.substring(Math.min(logStarts.getOrDefault(node, 0), log.length()));
            throw new AssertionError(node + " exited with " + nodes.get(node).exitValue() + "; its log since it started:\n"
                    + since.substring(Math.max(0, since.length() - 6000)));
        }
        return start >= 0 && log.indexOf("labdrop server running", start) >= 0;
    }

    /**
     * Waits up to {@code atMost} for the node's latest start to run (150 s: three JVMs starting on
     * two loaded cores in CI); fails at once when its process exits, and on time-out with its log
     * and a thread dump.
     */
    void awaitRunning(String node) throws Exception {
        try {
            Awaitility.await(node + " running").atMost(Duration.ofSeconds(150)).until(() -> running(node));
        } catch (ConditionTimeoutException e) {
            Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(nodes.get(node).pid()), "Thread.print").redirectErrorStream(true).start();
            String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String log = log(node);
            throw new AssertionError(e.getMessage() + "\n" + node + "'s log, the end:\n"
                    + log.substring(Math.max(logStarts.getOrDefault(node, 0), log.length() - 6000)) + "\nits threads:\n" + threads, e);
        }
    }

    /** {@code labdrop ARGS} against node {@code node} (the server that runs there, as its admin). */
    CliRun cli(String node, String... args) throws Exception {
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
        return new CliRun(cli.exitValue(), out);
    }

    /** Each node's state as node {@code asking} sees it ({@code labdrop cluster status --json}). */
    Map<String, String> states(String asking) throws Exception {
        JsonNode cluster = new ObjectMapper().readTree(cli(asking, "cluster", "status", "--json").out());
        Map<String, String> states = new HashMap<>();
        cluster.get("nodes").forEach(n -> states.put(n.get("node").asText(), n.get("state").asText()));
        return states;
    }

    /** True when {@code url} answers 200 within 3 s. */
    static boolean answers(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * An agent polling as its daemon would, until {@code stop}: at once after a run, 200 ms after
     * any other outcome, 300 ms after a failure (a node killed under it: the next poll goes through
     * the balancer to another).
     */
    static Callable<Void> pollUntil(AtomicBoolean stop, Agent agent) {
        return () -> {
            while (!stop.get()) {
                try {
                    if (agent.poll() != Agent.Outcome.RAN) {
                        Thread.sleep(200);
                    }
                } catch (InterruptedException e) {
                    return null;
                } catch (IOException | RuntimeException e) {
                    Thread.sleep(300);
                }
            }
            return null;
        };
    }

    /**
     * An agent's environment for SUT {@code host} of this cluster: its drop {@code url}, SSH key and
     * known_hosts, packages fetched from {@code web}, a work folder and boot id under the cluster's
     * folder, and short pauses (a node killed under it: the next try goes elsewhere at once).
     */
    Map<String, String> agentEnv(String host, String url, Path key, Path knownHosts, String web) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", host);
        env.put("LABDROP_DROP_URL", url);
        env.put("LABDROP_SSH_IDENTITY", key.toString());
        env.put("LABDROP_SSH_KNOWN_HOSTS", knownHosts.toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent-" + host).toString());
        env.put("LABDROP_FETCH_LOCATIONS", web + "/packages/builtin/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_LOG_PUSH_INTERVAL", "300ms");
        env.put("LABDROP_TRANSPORT_BACKOFF", "100ms");
        env.put("LABDROP_SSH_CONNECT_TIMEOUT", "3s");
        return env;
    }


    @Override
    public void close() {
        nodes.values().forEach(Process::destroyForcibly);
    }
}
