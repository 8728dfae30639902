package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.Location;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.EventRequest;
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
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.SmokePackage;
import labdrop.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fencing race with real processes: node A is stopped (a debugger's breakpoint, then SIGSTOP)
 * just before it writes a placement's request file, holding the host's lock; PostgreSQL ends A's
 * idle transaction, node B moves the work on (cancels that request, places and runs the next one);
 * A is continued (SIGCONT) and writes its stale file. The agent refuses it by its epoch: the
 * cancelled request never runs, and the host's queue goes on.
 */
class ClusterFencingIT {
    private static final String HOST = "sut-01";
    @TempDir
    Path dir;
    private TestCluster cluster;
    private VirtualMachine vm;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService background = Executors.newFixedThreadPool(2);
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
    }

    @AfterEach
    void stop() throws Exception {
        stop.set(true);
        background.shutdownNow();
        background.awaitTermination(20, TimeUnit.SECONDS);
        // a stopped node cannot answer the debugger's goodbye: end the nodes first
        cluster.close();
        if (vm != null) {
            try {
                vm.dispose();
            } catch (RuntimeException gone) {
                // the node has exited
            }
        }
    }

    @Test
    void aPausedNodesLateRequestFileIsRefusedByTheAgentAndTheQueueGoesOn() throws Exception {
        int webA = Ports.free();
        int debug = Ports.free();
        Map<String, String> slowTimers = Map.of("LABDROP_WATCHDOG_CRON", "0 0 0 * * ?",
                "LABDROP_CLUSTER_TRANSACTION_IDLE_TIMEOUT", "2s");
        Map<String, String> a = new HashMap<>(slowTimers);
        a.put("LABDROP_HTTP_PORT", Integer.toString(webA));
        Map<String, String> b = new HashMap<>(slowTimers);
        b.put("LABDROP_PLACER_INTERVAL", "1h");
        // Node B starts first: its placer drains at its start and once more a second later (Camel's
        // timer), then hourly, and nothing else makes it drain until the test asks it to, so B cannot
        // place r-1 on its own while A holds it.
        cluster.start("node-b", b);
        cluster.awaitRunning("node-b");
        cluster.start("node-a", a, "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + debug);
        cluster.awaitRunning("node-a");
        SmokePackage.publish(cluster.builtin(), "smoke", 0);
        assertThat(cluster.cli("node-a", "host", "add", HOST, "--active").code()).isZero();
        String token = cluster.cli("node-a", "user", "token", "admin").out().strip();
        Path runs = dir.resolve("runs");
        String test = "smoke:count " + runs;
        background.submit(this::runAgent);
        await("the agent's first state is in the store").atMost(Duration.ofSeconds(30))
                .until(() -> "AVAILABLE".equals(reported()));

        vm = attach(debug);
        BreakpointRequest beforeWrite = beforeThePlacerWritesARequestFile(vm);
        background.submit(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webA + "/api/v1/requests"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"host\":\"" + HOST + "\",\"tests\":[\"" + test + "\"]}")).build(),
                HttpResponse.BodyHandlers.ofString()));
        EventSet hit = vm.eventQueue().remove(60_000);
        assertThat(hit).as("node-a reached the request file's write").isNotNull();
        assertThat(hit.iterator().next()).isInstanceOf(BreakpointEvent.class);
        signal("STOP", cluster.process("node-a").pid());
        assertThat(states()).containsEntry("r-1", "PLACED");

        TestCluster.CliRun cancel = cluster.cli("node-b", "request", "cancel", "r-1");
        assertThat(cancel.code()).as("node-b cancels r-1 once PostgreSQL ended node-a's transaction: " + cancel.out()).isZero();
        TestCluster.CliRun second = cluster.cli("node-b", "request", "file", "--as", "admin", "--host", HOST, "--test", test);
        assertThat(second.code()).as(second.out()).isZero();
        await("r-2 runs and passes").atMost(Duration.ofSeconds(60)).until(() -> "PASSED".equals(states().get("r-2")));

        signal("CONT", cluster.process("node-a").pid());
        beforeWrite.disable();
        vm.resume();
        await("node-a wrote its late r-1.xml").atMost(Duration.ofSeconds(30))
                .until(() -> cluster.log("node-a").contains("placed r-1 for host '" + HOST + "'"));
        Path state = dir.resolve("drop").resolve(HOST).resolve("state_file");
        await("the agent refused it").atMost(Duration.ofSeconds(30)).until(() -> Files.exists(state)
                && Files.readString(state).contains("current/r-1.xml was refused: its placement epoch 1 is older than epoch 2"));
        assertThat(dir.resolve("drop").resolve(HOST).resolve("current/r-1.xml")).as("removed by the agent").doesNotExist();

        TestCluster.CliRun third = cluster.cli("node-a", "request", "file", "--as", "admin", "--host", HOST, "--test", test);
        assertThat(third.code()).as(third.out()).isZero();
        await("r-3 runs and passes").atMost(Duration.ofSeconds(60)).until(() -> "PASSED".equals(states().get("r-3")));
        assertThat(states()).containsEntry("r-1", "CANCELLED");
        assertThat(Files.readAllLines(runs).stream().map(line -> line.split(" ")[1]).toList())
                .as("the cancelled r-1 never ran").containsExactly("r-2", "r-3");
    }

    private Void runAgent() throws Exception {
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", HOST);
        env.put("LABDROP_DROP_URL", "file://" + dir.resolve("drop").resolve(HOST) + "/");
        env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
        env.put("LABDROP_FETCH_LOCATIONS", "file://" + cluster.builtin() + "/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        return TestCluster.pollUntil(stop, new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(1))).call();
    }

    /** Attaches to the node's JDWP agent (the JDK's own debugger interface). */
    private static VirtualMachine attach(int port) throws Exception {
        AttachingConnector socket = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.name().equals("com.sun.jdi.SocketAttach")).findFirst().orElseThrow();
        Map<String, Connector.Argument> args = socket.defaultArguments();
        args.get("hostname").setValue("127.0.0.1");
        args.get("port").setValue(Integer.toString(port));
        return socket.attach(args);
    }

    /** A breakpoint, stopping the whole node, on the placer's line that writes a request file (found in Placer.java). */
    private static BreakpointRequest beforeThePlacerWritesARequestFile(VirtualMachine vm) throws Exception {
        List<String> source = Files.readAllLines(Path.of("src/main/java/labdrop/queue/Placer.java"));
        int line = 0;
        for (int i = 0; i < source.size(); i++) {
            if (source.get(i).contains("AtomicFiles.write(file, xml);")) {
                line = i + 1;
            }
        }
        assertThat(line).as("the write's line in Placer.java").isPositive();
        ReferenceType placer = vm.classesByName("labdrop.queue.Placer").get(0);
        int target = line;
        Location at = placer.methodsByName("drainHost").get(0).allLineLocations().stream()
                .filter(l -> l.lineNumber() == target).findFirst().orElseThrow();
        BreakpointRequest request = vm.eventRequestManager().createBreakpointRequest(at);
        request.setSuspendPolicy(EventRequest.SUSPEND_ALL);
        request.enable();
        return request;
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    /** The status the host's agent last reported, as the store has it. */
    private String reported() throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select reported_status from hosts where name = '" + HOST + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private Map<String, String> states() throws Exception {
        Map<String, String> states = new HashMap<>();
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select num, state from requests")) {
            while (rs.next()) {
                states.put("r-" + rs.getLong(1), rs.getString(2));
            }
        }
        return states;
    }
}
