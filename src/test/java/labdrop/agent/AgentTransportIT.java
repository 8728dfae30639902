package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.cli.ChildCli;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.testing.Ports;
import labdrop.transport.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sftp:// and rsync+ssh:// transports end to end: a real server, Debian's OpenSSH sshd on a
 * loopback port in front of its drop, the real rsync binary and the MINA SSHD client.
 */
class AgentTransportIT {
    @TempDir
    Path dir;
    TestLab lab;
    OpenSshServer sshd;
    String repoUrl;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        repoUrl = "http://127.0.0.1:" + lab.app.httpPort() + "/packages/builtin/";
        lab.s.hosts().add(new HostDraft("sut-01", "default", "", "olivia", false, true, null), "admin");
        sshd = new OpenSshServer(Files.createDirectories(dir.resolve("sshd")));
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
    }

    @AfterEach
    void stop() {
        sshd.close();
        lab.close();
    }

    Agent agent(String scheme, int port) {
        return agent(scheme + "://root@127.0.0.1:" + port + lab.config.dropDir().resolve("sut-01") + "/",
                sshd.clientKey, sshd.knownHosts);
    }

    /** The same agent against the server's embedded SSH server: login sut-01, its folder is the jail's root. */
    Agent embedded(String scheme) throws Exception {
        TestLab.SshLogin login = lab.sshLogin("sut-01", dir);
        return agent(scheme + "://sut-01@127.0.0.1:" + lab.app.sshPort() + "/", login.key(), login.knownHosts());
    }

    Agent agent(String url, Path identity, Path knownHosts) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "sut-01");
        env.put("LABDROP_DROP_URL", url);
        env.put("LABDROP_SSH_IDENTITY", identity.toString());
        env.put("LABDROP_SSH_KNOWN_HOSTS", knownHosts.toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
        env.put("LABDROP_FETCH_LOCATIONS", repoUrl);
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_LOG_PUSH_INTERVAL", "300ms");
        env.put("LABDROP_TRANSPORT_BACKOFF", "10ms");
        env.put("LABDROP_SSH_CONNECT_TIMEOUT", "3s");
        return new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(3));
    }

    Request file(String... tests) {
        Request r = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(tests).stream().map(TestSpec::parse)
                .toList(), Priority.NORMAL, false, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(lab.config.dropDir()
                .resolve("sut-01/current/" + r.id() + ".xml")));
        return r;
    }

    Request awaitEnd(Request request) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !lab.s.desk().find(request.id()).state().isActive());
        return lab.s.desk().find(request.id());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sftp", "rsync+ssh"})
    void aRequestRunsEndToEndWithLogsPushedWhileTheTestRuns(String scheme) throws Exception {
        endToEnd(agent(scheme, sshd.port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sftp", "rsync+ssh"})
    void theSameRunThroughTheEmbeddedSshServer(String scheme) throws Exception {
        endToEnd(embedded(scheme));
    }

    record Exec(int code, String output) {
    }

    Exec exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Exec(p.exitValue(), out);
    }

    String labdropCli(String... args) throws Exception {
        ChildCli.Result cli = ChildCli.run(dir.resolve("server"), args);
        assertThat(cli.code()).as(cli.out() + cli.err()).isZero();
        return cli.out();
    }

    @Test
    void rsyncThroughOpenSshWithRrsyncForcedByTheLinesLabdropHostKeysPrints() throws Exception {
        Path pub = sshd.clientKey.resolveSibling("client_key.pub");
        assertThat(labdropCli("host", "key", "add", "sut-01", pub.toString())).contains("sut-01");
        String lines = labdropCli("host", "keys", "--authorized-keys");
        assertThat(lines.lines()).hasSize(1);
        Files.writeString(dir.resolve("sshd/authorized_keys"), lines);
        endToEnd(agent("rsync+ssh://root@127.0.0.1:" + sshd.port + "/", sshd.clientKey, sshd.knownHosts));

        Path escape = Files.createTempFile(dir, "escape", ".txt");
        Exec outside = exec("rsync", "-e", "ssh -p " + sshd.port + " -i " + sshd.clientKey
                + " -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=" + sshd.knownHosts,
                "root@127.0.0.1:../", dir.resolve("escape-copy").toString());
        assertThat(outside.code()).as("rrsync keeps the key inside the host folder: " + outside.output()).isNotZero();
        Exec shell = exec("ssh", "-p", Integer.toString(sshd.port), "-i", sshd.clientKey.toString(),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + sshd.knownHosts,
                "root@127.0.0.1", "cat " + escape);
        assertThat(shell.code()).as("no shell for the key: " + shell.output()).isNotZero();
    }

    private void endToEnd(Agent agent) throws Exception {
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.IDLE);
        assertThat(Files.readString(lab.config.dropDir().resolve("sut-01/state_file"))).contains("Available");

        Request request = file("smoke:sleep 3", "smoke:fail");
        CompletableFuture<Agent.Outcome> poll = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.poll();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Path log = lab.config.dropDir().resolve("sut-01/results/" + request.id() + "/logs/1-smoke.stdout");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(log));
        assertThat(poll).as("the log arrived while the test still ran").isNotDone();
        assertThat(lab.s.desk().find(request.id()).state()).isEqualTo(RequestState.RUNNING);
        assertThat(poll.get()).isEqualTo(Agent.Outcome.RAN);

        Request done = awaitEnd(request);
        assertThat(done.state()).isEqualTo(RequestState.FAILED);
        assertThat(lab.s.desk().results(done)).extracting(r -> r.outcome()).containsExactly("pass", "fail");
        assertThat(Files.readString(log)).contains("smoke sleep 3");
        assertThat(lab.config.dropDir().resolve("sut-01/current/" + request.id() + ".xml")).doesNotExist();
        try (var temps = Files.walk(lab.config.dropDir().resolve("sut-01"))) {
            assertThat(temps.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")))
                    .as("no temporary file left in the drop").isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sftp", "rsync+ssh"})
    void anUnreachableServerFailsThePollNamingTheUrlAfterTheRetries(String scheme) throws Exception {
        int closed = Ports.free();
        Agent agent = agent(scheme, closed);
        assertThatThrownBy(agent::poll).isInstanceOf(IOException.class)
                .hasMessageContaining("attempt 3 of 3").hasMessageContaining("127.0.0.1");
    }
}
