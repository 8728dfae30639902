package labdrop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import labdrop.admin.HostDraft;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.SmokePackage;
import labdrop.app.TestLab;
import labdrop.pkg.Manifest;
import labdrop.pkg.Repository;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.KeyRows;
import labdrop.transport.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as a process (`labdrop gateway`), killed with SIGKILL in the middle of a package
 * fetch and in the middle of a result's push over a slow link, then started again: nothing is
 * half-written on either side, the fetch resumes, the result arrives once and whole.
 */
class GatewayKillIT {
    @TempDir
    Path dir;
    TestLab lab;
    Link link;
    Path state;
    Process gateway;
    Map<String, String> env = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "big", 4000);
        lab.s.hosts().add(new HostDraft("sut-a", "default", "", "olivia", false, true, null), "admin");
        lab.s.keys().addLab("lab-east", List.of("sut-a"));
        state = Files.createDirectories(dir.resolve("gateway"));
        OpenSshServer.run(state, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", state.resolve("id_ed25519").toString());
        lab.s.keys().add(KeyRows.LAB, "lab-east", Files.readString(state.resolve("id_ed25519.pub")), "key", "admin");
        link = new Link(lab.app.sshPort());
        Files.writeString(state.resolve("known_hosts"), "[127.0.0.1]:" + link.port() + " "
                + Files.readString(lab.config.ssh().hostKey().resolveSibling("ssh_host_ed25519_key.pub")));
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        env.put("LABDROP_SERVER_URL", "sftp://lab-east@127.0.0.1:" + link.port() + "/");
        env.put("LABDROP_STATE_DIR", state.toString());
        env.put("LABDROP_SYNC_EVERY", "200ms");
        env.put("LABDROP_HTTP_HOST", "127.0.0.1");
        env.put("LABDROP_HTTP_PORT", "0");
        env.put("LABDROP_SSH_HOST", "127.0.0.1");
        env.put("LABDROP_SSH_PORT", "0");
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.destroyForcibly().waitFor();
        }
        link.close();
        lab.close();
    }

    void startGateway() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "labdrop.cli.Main", "gateway"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("gateway.log").toFile()));
        builder.environment().putAll(env);
        gateway = builder.start();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    void killGateway() throws InterruptedException {
        gateway.destroyForcibly().waitFor();
        gateway = null;
    }

    Path local(String path) {
        return state.resolve("drop/sut-a").resolve(path);
    }

    Path server(String path) {
        return lab.config.dropDir().resolve("sut-a").resolve(path);
    }

    static List<String> dotFiles(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException gone) {
            return -1;
        }
    }

    long auditLines(String... parts) throws IOException {
        return Files.readAllLines(lab.config.ssh().auditLog()).stream()
                .filter(l -> Stream.of(parts).allMatch(l::contains)).count();
    }

    @Test
    void killedMidFetchAndMidPushTheGatewayResumesWithNothingHalfDoneOrDoneTwice() throws Exception {
        Path repo = lab.config.http().repositories().get("builtin");
        Manifest.Entry big = new Repository(repo).manifest().entries().get("test-big.tar.bz2");
        link.throttle(200_000);
        startGateway();
        Request request = lab.s.desk().file(new RequestSpec("sut-a", "olivia", List.of(TestSpec.parse("big:pass")),
                Priority.NORMAL, false, null, null, null, null));

        Path part = state.resolve("packages-part/test-big.tar.bz2.part");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).alias("the package fetch is under way")
                .until(() -> size(part) > big.size() / 10);
        killGateway();
        assertThat(size(part)).as("killed mid-fetch").isLessThan(big.size());
        assertThat(state.resolve("packages/test-big.tar.bz2")).as("nothing unverified is served").doesNotExist();
        assertThat(local("current/" + request.id() + ".xml")).as("not placed before its package is whole").doesNotExist();

        link.throttle(0);
        startGateway();
        await().atMost(Duration.ofSeconds(30)).alias("placed once the fetch resumed and finished")
                .until(() -> Files.exists(local("current/" + request.id() + ".xml")));
        assertThat(state.resolve("packages/test-big.tar.bz2")).hasSameBinaryContentAs(repo.resolve("test-big.tar.bz2"));
        assertThat(auditLines("package", "test-big.tar.bz2 from 0")).as("fetched from the start once").isEqualTo(1);
        assertThat(auditLines("package", "test-big.tar.bz2 from ")).as("and resumed once").isEqualTo(2);
        killGateway();

        // The SUT runs its request from the gateway's folder while the gateway is down, and leaves a large log.
        Map<String, String> agentEnv = Map.of("LABDROP_HOST", "sut-a", "LABDROP_DROP_URL", local("").toUri().toString(),
                "LABDROP_WORK_DIR", dir.resolve("agent").toString(),
                "LABDROP_FETCH_LOCATIONS", state.resolve("packages").toUri().toString(),
                "LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        assertThat(new Agent(AgentConfig.load(null, agentEnv), Clock.systemUTC(), new Random(1)).poll())
                .isEqualTo(Agent.Outcome.RAN);
        byte[] log = new byte[1_000_000];
        new Random(7).nextBytes(log);
        Files.write(local("results/" + request.id() + "/logs/zz-large.log"), log);

        link.throttle(200_000);
        startGateway();
        Path remoteLogs = server("results/" + request.id() + "/logs");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).alias("the push of the large log is under way")
                .until(() -> dotFiles(remoteLogs).size() == 1 && Files.list(remoteLogs)
                        .filter(p -> p.getFileName().toString().startsWith(".")).mapToLong(GatewayKillIT::size)
                        .anyMatch(n -> n > 50_000 && n < log.length));
        killGateway();
        assertThat(server("results/" + request.id() + "/result.xml")).as("result.xml goes last").doesNotExist();
        assertThat(server("results/" + request.id() + "/logs/zz-large.log")).as("no half file under its name").doesNotExist();
        assertThat(lab.s.desk().find(request.id()).state().isActive()).isTrue();

        link.throttle(0);
        startGateway();
        await().atMost(Duration.ofSeconds(30)).until(() -> !lab.s.desk().find(request.id()).state().isActive());
        assertThat(lab.s.desk().find(request.id()).state()).isEqualTo(RequestState.PASSED);
        assertThat(server("results/" + request.id() + "/logs/zz-large.log")).hasBinaryContent(log);
        await().atMost(Duration.ofSeconds(10)).alias("the gateway's queue is empty and the server's request gone")
                .until(() -> !Files.exists(local("results/" + request.id())) && !Files.exists(server("current/" + request.id() + ".xml")));
        assertThat(dotFiles(server(""))).as("no temporary left on the server").isEmpty();
        assertThat(dotFiles(local(""))).as("no temporary left at the gateway").isEmpty();
        assertThat(auditLines("rename", "/results/" + request.id() + "/result.xml")).as("result.xml pushed once").isEqualTo(1);
        assertThat(auditLines("rename", "/results/" + request.id() + "/logs/zz-large.log")).as("the log pushed whole once")
                .isEqualTo(1);
    }
}
