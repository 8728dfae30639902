package labdrop.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import labdrop.agent.SmokePackage;
import labdrop.appliance.DebPackageIT.Run;
import labdrop.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged units as systemd runs them: a Debian root made by {@code .ci/nspawn-root} is booted
 * by systemd-nspawn (a real systemd as PID 1, on a throwaway overlay, sharing this machine's
 * loopback), the .deb installed in it with dpkg, and {@code labdrop-server.service} and
 * {@code labdrop-agent.service} started by systemctl exactly as shipped. The agent works over
 * sftp:// through the server's SSH server. Needs root and systemd-nspawn (.ci/test installs both).
 *
 * <p>Not shown here: {@code OOMPolicy=continue}. The container's memory controller is read-only
 * and this machine's cgroups are the legacy hierarchy, where systemd cannot see a unit's OOM kills
 * (it reads them from the unified hierarchy's memory.events); AgentProcessIT's memory-cgroup test
 * shows the agent going on after the kernel kills a test.
 */
class SystemdBootIT {
    static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @TempDir
    Path dir;
    Process boot;
    long init;

    @AfterEach
    void halt() throws Exception {
        if (boot != null) {
            boot.destroy();
            if (!boot.waitFor(60, TimeUnit.SECONDS)) {
                boot.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A command inside the container (all its namespaces), with a clean environment. */
    Run in(String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("nsenter", "-t", Long.toString(init), "-a", "env", "-i", PATH));
        line.addAll(List.of(command));
        return DebPackageIT.run(line);
    }

    Run ok(String... command) throws Exception {
        Run r = in(command);
        assertThat(r.code()).as(String.join(" ", command) + ":\n" + r.out()).isZero();
        return r;
    }

    /** The installed CLI inside the container, as the labdrop user with the server unit's environment. */
    Run labdrop(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of("runuser", "-u", "labdrop", "--", "env",
                "LABDROP_STATE_DIR=/var/lib/labdrop", "LABDROP_ROUTES_DIR=/etc/labdrop/routes", "/usr/bin/labdrop"));
        line.addAll(List.of(args));
        return ok(line.toArray(String[]::new));
    }

    String property(String unit, String name) throws Exception {
        return ok("systemctl", "show", unit, "-p", name, "--value").out().strip();
    }

    String requestState(String id) throws Exception {
        return labdrop("request", "show", id).out().lines().filter(l -> l.startsWith("state:"))
                .map(l -> l.substring(6).strip()).findFirst().orElse("");
    }

    @Test
    void theServerAndAgentUnitsRunUnderSystemdAndAnAgentRestartLeavesTheRunningTestToTheNextAgent() throws Exception {
        try {
            bootInstallRestartAndFinish();
        } catch (Exception | AssertionError e) {
            if (init > 0) {
                e.addSuppressed(new AssertionError("the units' journal:\n" + in("journalctl", "--no-pager", "-n", "200",
                        "-u", "labdrop-server.service", "-u", "labdrop-agent.service").out()));
            }
            throw e;
        }
    }

    private void bootInstallRestartAndFinish() throws Exception {
        assertThat(DebPackageIT.ok("id", "-u").out().strip()).as("systemd-nspawn needs root").isEqualTo("0");
        assertThat(DebPackageIT.DEB).as("built by mvn package (jdeb)").exists();
        Path root = Path.of(DebPackageIT.ok(".ci/nspawn-root").out().strip().lines().reduce((a, b) -> b).orElseThrow());
        SmokePackage.publish(Files.createDirectories(dir.resolve("built")), "smoke", 0);
        DebPackageIT.ok("chmod", "-R", "a+rwX", dir.toString());

        boot = new ProcessBuilder("systemd-nspawn", "-D", root.toString(), "--register=no", "--keep-unit",
                "--volatile=overlay", "--console=passive", "--bind-ro=" + DebPackageIT.DEB.toAbsolutePath() + ":/srv/labdrop.deb",
                "--bind=" + dir + ":/srv/test", "-b").redirectErrorStream(true)
                .redirectOutput(dir.resolve("boot.log").toFile()).start();
        init = await().atMost(Duration.ofSeconds(60)).until(() -> boot.children().findFirst()
                .filter(p -> p.info().command().orElse("").endsWith("/systemd")).map(ProcessHandle::pid).orElse(0L), pid -> pid > 0);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> in("systemctl", "is-system-running").out().strip(), s -> s.equals("running") || s.equals("degraded"));

        // Install as an admin would; point the server at free loopback ports.
        ok("dpkg", "-i", "/srv/labdrop.deb");
        int http = Ports.free();
        int ssh = Ports.free();
        ok("sed", "-i", "-e", "s/^http.host =.*/http.host = 127.0.0.1/", "-e", "s/^http.port =.*/http.port = " + http + "/",
                "-e", "s/^ssh.host =.*/ssh.host = 127.0.0.1/", "-e", "s/^ssh.port =.*/ssh.port = " + ssh + "/",
                "/etc/labdrop/server.conf");
        ok("systemctl", "start", "labdrop-server.service");
        HttpClient client = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http + "/healthz")).build(), HttpResponse.BodyHandlers.ofString()).body().equals("ok\n"));
        assertThat(property("labdrop-server.service", "ActiveState")).isEqualTo("active");
        HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/readyz"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as("the unit is active only once the server is ready: " + ready.body()).isEqualTo(200);
        String serverPid = property("labdrop-server.service", "MainPID");
        String status = ok("cat", "/proc/" + serverPid + "/status").out();
        assertThat(status).as("the sandbox as systemd applied it: no capabilities, no new privileges")
                .containsPattern("CapEff:\\s+0000000000000000").containsPattern("NoNewPrivs:\\s+1");
        assertThat(ok("ps", "-o", "user=", "-p", serverPid).out().strip()).isEqualTo("labdrop");

        // A host with its own key, a package, and the agent unit configured for sftp://.
        labdrop("pkg", "upload", "/srv/test/built/test-smoke.tar.bz2", "--to", "/var/lib/labdrop/packages/builtin");
        assertThat(labdrop("host", "add", "sut-n1", "--active").out()).contains("added host sut-n1");
        ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "/srv/test/sut_key");
        labdrop("host", "key", "add", "sut-n1", "/srv/test/sut_key.pub");
        String hostKey = ok("sh", "-c", "cat /var/lib/labdrop/*host*key*.pub").out().strip();
        ok("sh", "-c", "echo '[127.0.0.1]:" + ssh + " " + hostKey + "' > /srv/test/known_hosts");
        ok("sed", "-i", "-e", "s/^host =.*/host = sut-n1/",
                "-e", "s|^drop.url =.*|drop.url = sftp://sut-n1@127.0.0.1:" + ssh + "/|",
                "-e", "s|^ssh.identity =.*|ssh.identity = /srv/test/sut_key|",
                "-e", "s|^ssh.known-hosts =.*|ssh.known-hosts = /srv/test/known_hosts|",
                "-e", "s|^fetch.locations =.*|fetch.locations = http://127.0.0.1:" + http + "/packages/builtin/|",
                "-e", "s|^schedule.cron =.*|schedule.cron = 0/2 * * * * ?|", "-e", "s|^schedule.jitter =.*|schedule.jitter = 0s|",
                "/etc/labdrop/agent.conf");
        ok("systemctl", "start", "labdrop-agent.service");

        // A test that runs for 20 s; the agent restarted while it runs.
        assertThat(labdrop("request", "file", "--host", "sut-n1", "--test", "smoke:count /srv/test/runs sleep 20",
                "--as", "tess").out()).contains("r-1");
        Path runs = dir.resolve("runs");
        await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(runs));
        String test = await().atMost(Duration.ofSeconds(10)).until(
                () -> in("pgrep", "-x", "sleep").out().strip(), pid -> !pid.isEmpty());
        String firstAgent = property("labdrop-agent.service", "MainPID");
        ok("systemctl", "restart", "labdrop-agent.service");
        String secondAgent = property("labdrop-agent.service", "MainPID");
        assertThat(secondAgent).as("a new agent process").isNotEqualTo(firstAgent).isNotEqualTo("0");
        assertThat(in("kill", "-0", firstAgent).code()).as("the old agent is gone").isNotZero();
        assertThat(in("kill", "-0", test).code()).as("the test outlives the agent's restart (KillMode=process)").isZero();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                .until(() -> requestState("r-1"), s -> !s.equals("Placed") && !s.equals("Running") && !s.isEmpty());
        assertThat(requestState("r-1")).as(labdrop("request", "show", "r-1").out()).isEqualTo("Passed");
        assertThat(Files.readAllLines(runs, StandardCharsets.UTF_8)).as("the test ran once, adopted, not started again")
                .hasSize(1);
        assertThat(property("labdrop-agent.service", "MainPID")).as("the adopting agent kept running").isEqualTo(secondAgent);
        assertThat(property("labdrop-server.service", "ActiveState")).isEqualTo("active");

        ok("systemctl", "stop", "labdrop-agent.service", "labdrop-server.service");
        assertThat(property("labdrop-server.service", "Result")).as("the server stops cleanly on SIGTERM").isEqualTo("success");
    }
}
