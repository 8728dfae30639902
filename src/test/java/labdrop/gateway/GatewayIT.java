package labdrop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import labdrop.admin.HostDraft;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.SmokePackage;
import labdrop.app.TestLab;
import labdrop.cli.ChildCli;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.KeyRows;
import labdrop.transport.OpenSshServer;
import labdrop.transport.SftpSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab gateway end to end: a real server, a gateway logged in with the lab's key over SFTP,
 * and three SUT agents that reach only the gateway, one over file:// (the gateway's local drop)
 * and two over the gateway's own SSH server (sftp://, and rsync+ssh:// with the real rsync and
 * OpenSSH client).
 */
class GatewayIT {
    static final List<String> SUTS = List.of("sut-a", "sut-b", "sut-c");
    @TempDir
    Path dir;
    TestLab lab;
    Link link;
    Gateway gateway;
    GatewayConfig config;
    /** The gateway's environment (its configuration), for a test that starts it again. */
    Map<String, String> gatewayEnv;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        for (String sut : SUTS) {
            lab.s.hosts().add(new HostDraft(sut, "default", "", "olivia", false, true, null), "admin");
        }
        lab.s.keys().addLab("lab-east", SUTS);
        for (String sut : SUTS) {
            Files.writeString(Files.createDirectories(dir.resolve(sut)).resolve("doorbell.token"),
                    lab.s.doorbell().issueToken(sut));
        }
        Path gw = Files.createDirectories(dir.resolve("gateway"));
        OpenSshServer.run(gw, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", gw.resolve("id_ed25519").toString());
        lab.s.keys().add(KeyRows.LAB, "lab-east", Files.readString(gw.resolve("id_ed25519.pub")), "key", "admin");
        link = new Link(lab.app.sshPort());
        Files.writeString(gw.resolve("known_hosts"), "[127.0.0.1]:" + link.port() + " "
                + Files.readString(lab.config.ssh().hostKey().resolveSibling("ssh_host_ed25519_key.pub")));
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        Map<String, String> env = new HashMap<>(Map.of("LABDROP_SERVER_URL", linkScheme() + "://lab-east@127.0.0.1:"
                        + link.port() + "/", "LABDROP_STATE_DIR", gw.toString(), "LABDROP_SYNC_EVERY", "200ms",
                "LABDROP_SSH_HOST", "127.0.0.1",
                // what the server changes reaches the gateway through the lab's doorbell, not a periodic full sync
                "LABDROP_SYNC_SAFETY_EVERY", "1h",
                "LABDROP_SSH_PORT", "0", "LABDROP_SERVER_CONNECT_TIMEOUT", "3s", "LABDROP_HTTP_HOST", "127.0.0.1",
                "LABDROP_HTTP_PORT", "0"));
        env.putAll(labDoorbell(gw));
        gatewayEnv = Map.copyOf(env);
        config = GatewayConfig.load(null, env);
        gateway = new Gateway(config, Clock.systemUTC());
        gateway.start();
    }

    /** How the gateway reads its lab's doorbell: here on its SSH connection; over HTTP in {@link GatewayHttpDoorbellIT}. */
    Map<String, String> labDoorbell(Path gatewayState) throws Exception {
        return Map.of();
    }

    /** The gateway's link to the server: sftp here, rsync+ssh in {@link GatewayRsyncIT}. */
    String linkScheme() {
        return "sftp";
    }

    /** The server's audit event for one file's push over this link (SFTP's rename into place). */
    String pushAuditEvent() {
        return "rename";
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        link.close();
        lab.close();
    }

    /** A SUT's key for the gateway's SSH server, and the gateway's host key pinned in its known_hosts. */
    record SutLogin(Path key, Path knownHosts) {
    }

    SutLogin sutLogin(String sut) throws Exception {
        Path sutDir = Files.createDirectories(dir.resolve(sut));
        Path key = sutDir.resolve("id_ed25519");
        OpenSshServer.run(sutDir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
        Files.writeString(config.keysDir().resolve(sut + ".pub"), "# " + sut + "\n" + Files.readString(sutDir.resolve("id_ed25519.pub")));
        Path knownHosts = sutDir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + gateway.sshPort() + " "
                + Files.readString(config.ssh().hostKey().resolveSibling("ssh_host_ed25519_key.pub")));
        return new SutLogin(key, knownHosts);
    }

    Agent agent(String sut, String url, SutLogin login) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", sut);
        env.put("LABDROP_DROP_URL", url);
        if (login != null) {
            env.put("LABDROP_SSH_IDENTITY", login.key().toString());
            env.put("LABDROP_SSH_KNOWN_HOSTS", login.knownHosts().toString());
        }
        env.put("LABDROP_WORK_DIR", dir.resolve(sut).resolve("work").toString());
        // the SUT knows only the gateway: its drop, its SSH server, its package cache
        env.put("LABDROP_FETCH_LOCATIONS", "http://127.0.0.1:" + gateway.httpPort() + "/packages/" + Gateway.PACKAGES + "/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_LOG_PUSH_INTERVAL", "300ms");
        env.put("LABDROP_TRANSPORT_BACKOFF", "10ms");
        env.put("LABDROP_SSH_CONNECT_TIMEOUT", "3s");
        env.put("LABDROP_DOORBELL_URL", "http://127.0.0.1:" + gateway.httpPort() + "/api/v1/hosts/" + sut + "/generation");
        env.put("LABDROP_DOORBELL_TOKEN_FILE", dir.resolve(sut).resolve("doorbell.token").toString());
        env.put("LABDROP_DOORBELL_SAFETY_EVERY", "100");
        return new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(3));
    }

    Path serverDrop(String sut) {
        return lab.config.dropDir().resolve(sut);
    }

    Path gatewayDrop(String sut) {
        return config.dropDir().resolve(sut);
    }

    Request file(String sut, String... tests) {
        return lab.s.desk().file(new RequestSpec(sut, "olivia", Stream.of(tests).map(TestSpec::parse).toList(),
                Priority.NORMAL, false, null, null, null, null));
    }

    static CompletableFuture<Agent.Outcome> pollAsync(Agent agent) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return agent.poll();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** {@code labdrop gateway status} as an admin runs it on the gateway, in a process of its own. */
    ChildCli.Result gatewayStatus() throws Exception {
        Path conf = Files.writeString(dir.resolve("gateway.conf"), "server.url = " + config.server() + "\n");
        return ChildCli.run(config.stateDir(), "gateway", "status", "--conf", conf.toString());
    }

    /** The server's page of {@code host}, as an admin logged in with a browser's form sees it. */
    String hostPage(String host) throws Exception {
        String base = "http://127.0.0.1:" + lab.app.httpPort();
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String login = browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(login);
        assertThat(csrf.find()).isTrue();
        String form = "csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8) + "&user=admin&password="
                + URLEncoder.encode(Files.readString(lab.config.stateDir().resolve("admin-password")).strip(), StandardCharsets.UTF_8);
        HttpResponse<String> in = browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).header("Origin", base)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(in.statusCode()).isEqualTo(303);
        return browser.send(HttpRequest.newBuilder(URI.create(base + "/hosts/" + host)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException gone) {
            return "";
        }
    }

    /** What a SUT's session reads at {@code path}: null when the file is not there or the read is refused. */
    static byte[] readOrNothing(SftpSession s, String path) {
        try {
            return s.readOrNull(path, 1000);
        } catch (IOException refused) {
            return null;
        }
    }

    /** The request ids with a results folder in the server's drop. */
    List<String> serverResults(String sut) {
        try (Stream<Path> ids = Files.list(serverDrop(sut).resolve("results"))) {
            return ids.map(p -> p.getFileName().toString()).toList();
        } catch (IOException none) {
            return List.of();
        }
    }

    /** The index of the last line that {@code matches}, or -1. */
    static int lastIndex(List<String> lines, Predicate<String> matches) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (matches.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static List<String> dotFiles(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    /** The three SUTs' agents, one per way of reaching the gateway, after a first poll that found nothing to do. */
    List<Agent> idleAgents() throws Exception {
        await().atMost(Duration.ofSeconds(10)).alias("every host synced once: its config/ is there").until(() ->
                gateway.hosts().equals(Set.copyOf(SUTS))
                        && SUTS.stream().allMatch(s -> Files.exists(gatewayDrop(s).resolve("config/directions"))));
        Path tokens = config.stateDir().resolve("doorbell-tokens.properties");
        await().atMost(Duration.ofSeconds(10)).alias("the lab's doorbell gave the gateway its SUTs' token hashes")
                .until(() -> Files.exists(tokens) && SUTS.stream().allMatch(sut -> readString(tokens).contains(sut + "=")));
        List<Agent> agents = List.of(
                agent("sut-a", gatewayDrop("sut-a").toUri().toString(), null),
                agent("sut-b", "sftp://sut-b@127.0.0.1:" + gateway.sshPort() + "/", sutLogin("sut-b")),
                agent("sut-c", "rsync+ssh://sut-c@127.0.0.1:" + gateway.sshPort() + "/", sutLogin("sut-c")));
        for (Agent agent : agents) {
            assertThat(agent.poll()).isEqualTo(Agent.Outcome.IDLE);
            assertThat(agent.poll()).as("this poll asks the doorbell first and learns its ETag").isEqualTo(Agent.Outcome.IDLE);
            assertThat(agent.poll()).as("the gateway answers its SUTs' doorbell: nothing changed").isEqualTo(Agent.Outcome.QUIET);
        }
        await().atMost(Duration.ofSeconds(10)).alias("each SUT's state reached the server through the gateway").until(() ->
                SUTS.stream().allMatch(s -> Files.exists(serverDrop(s).resolve("state_file"))));
        assertThat(Files.readString(serverDrop("sut-c").resolve("state_file"))).contains("Available");
        return agents;
    }

    /**
     * The requests (one per SUT, in SUTS' order) once each has reached the gateway's drop and the
     * gateway's doorbell tells its SUT (the agent's next poll asks the doorbell first).
     */
    List<Request> placed(Request... requests) {
        for (int i = 0; i < SUTS.size(); i++) {
            String sut = SUTS.get(i);
            Path placed = gatewayDrop(sut).resolve("current/" + requests[i].id() + ".xml");
            await().atMost(Duration.ofSeconds(10)).alias("the request reached the gateway's drop").until(() -> Files.exists(placed));
            String seen = readString(dir.resolve(sut).resolve("work/doorbell.state")).split("\n")[0];
            await().atMost(Duration.ofSeconds(10)).alias("the gateway's doorbell rang for " + sut).until(() -> doorbell(sut, seen) == 200);
        }
        return List.of(requests);
    }

    /** The status of a poll of the gateway's doorbell for {@code sut} that has seen {@code etag}. */
    int doorbell(String sut, String etag) throws Exception {
        HttpRequest.Builder poll = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + "/api/v1/hosts/"
                + sut + "/generation")).header("Authorization", "Bearer " + Files.readString(dir.resolve(sut).resolve("doorbell.token")));
        if (!etag.isEmpty()) {
            poll.header("If-None-Match", etag);
        }
        return HttpClient.newHttpClient().send(poll.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void threeSutsBehindTheGatewayRunTheirRequestsToPassedOverFileSftpAndRsync() throws Exception {
        List<Agent> agents = idleAgents();
        List<Request> requests = placed(file("sut-a", "smoke:sleep 2", "smoke:pass"), file("sut-b", "smoke:sleep 5"),
                file("sut-c", "smoke:sleep 2", "smoke:pass"));
        List<CompletableFuture<Agent.Outcome>> polls = new ArrayList<>();
        agents.forEach(a -> polls.add(pollAsync(a)));
        Path log = serverDrop("sut-b").resolve("results/" + requests.get(1).id() + "/logs/1-smoke.stdout");
        await().atMost(Duration.ofSeconds(20)).alias("a log reached the server").until(() -> Files.exists(log));
        await().atMost(Duration.ofSeconds(10)).alias("the state the SUT reported reached the server")
                .until(() -> lab.s.desk().find(requests.get(1).id()).state() == RequestState.RUNNING);
        String api = "http://127.0.0.1:" + lab.app.httpPort() + "/api/v1";
        String admin = lab.s.accounts().newToken("admin", "gateway-it");
        HttpResponse<String> live = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/requests/"
                        + requests.get(1).id() + "/logs/logs/1-smoke.stdout")).header("Authorization", "Bearer " + admin).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(polls.get(1)).as("the log reached the server while the test still ran").isNotDone();
        assertThat(live.statusCode()).as("the request's log, as its page shows it").isEqualTo(200);
        assertThat(live.body()).contains("smoke sleep 5");
        for (CompletableFuture<Agent.Outcome> poll : polls) {
            assertThat(poll.get()).isEqualTo(Agent.Outcome.RAN);
        }
        for (int i = 0; i < SUTS.size(); i++) {
            Request request = requests.get(i);
            await().atMost(Duration.ofSeconds(20)).until(() -> !lab.s.desk().find(request.id()).state().isActive());
            assertThat(lab.s.desk().find(request.id()).state()).as(SUTS.get(i)).isEqualTo(RequestState.PASSED);
            assertThat(lab.s.desk().results(lab.s.desk().find(request.id()))).allMatch(r -> r.outcome().equals("pass"));
            String sut = SUTS.get(i);
            await().atMost(Duration.ofSeconds(10)).alias("the finished request is gone on both sides").until(() ->
                    !Files.exists(serverDrop(sut).resolve("current/" + request.id() + ".xml"))
                            && !Files.exists(gatewayDrop(sut).resolve("current/" + request.id() + ".xml")));
            await().atMost(Duration.ofSeconds(10)).alias("the gateway keeps no results the server has").until(() ->
                    !Files.exists(gatewayDrop(sut).resolve("results/" + request.id())));
        }
        assertThat(dotFiles(lab.config.dropDir())).as("no temporary file on the server").isEmpty();
        assertThat(dotFiles(config.dropDir())).as("no temporary file at the gateway").isEmpty();
        assertThat(Files.readAllLines(lab.config.ssh().auditLog()).stream().filter(l -> l.contains("package")
                && l.contains("test-smoke.tar.bz2"))).as("the package crossed the link once for three SUTs").hasSize(1);

        await().atMost(Duration.ofSeconds(10)).alias("the SUTs' last states reached the server: nothing waits")
                .until(() -> GatewayStatus.read(config.stateDir()).hosts().values().stream().allMatch(h -> h.unsent() == 0));
        ChildCli.Result statusCommand = gatewayStatus();
        assertThat(statusCommand.code()).as(statusCommand.out() + statusCommand.err()).isZero();
        assertThat(statusCommand.out()).contains("lab          lab-east").contains("cache        1 packages")
                .containsPattern("sut-c\\s+20\\S+\\s+0");
        assertThat(hostPage("sut-b")).as("the server's host page shows the host's gateway")
                .contains("Lab gateway").contains("lab lab-east, last synced");

        String base = "http://127.0.0.1:" + gateway.httpPort();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> part = http.send(HttpRequest.newBuilder(URI.create(base + "/packages/" + Gateway.PACKAGES
                + "/test-smoke.tar.bz2")).header("Range", "bytes=0-9").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(part.statusCode()).as("the cache answers Range as the server does").isEqualTo(206);
        assertThat(part.body()).hasSize(10);
        assertThat(part.headers().firstValue("ETag")).isPresent();
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"server\"");
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("labdrop_gateway_syncs_total{outcome=\"ok\"}").contains("labdrop_gateway_unsent_files 0.0")
                .contains("labdrop_gateway_cache_bytes");
        GatewayStatus status = GatewayStatus.read(config.stateDir());
        assertThat(status.lastError()).isNull();
        assertThat(status.hosts()).containsOnlyKeys(SUTS);
        assertThat(status.hosts().values()).allMatch(h -> h.unsent() == 0);
    }

    @Test
    void aSutBehindTheGatewaySeesOnlyItsOwnFolderAndHostsFollowTheLabWithoutARestart() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.hosts().equals(Set.copyOf(SUTS)));
        SutLogin b = sutLogin("sut-b");
        try (SftpSession s = SftpSession.open(URI.create("sftp://sut-b@127.0.0.1:" + gateway.sshPort() + "/"), b.key(),
                b.knownHosts(), false, Duration.ofSeconds(3), Duration.ofSeconds(10))) {
            assertThat(s.sftp().readDir("/current")).isNotNull();
            for (String sut : List.of("sut-b", "sut-c")) {
                Files.writeString(Files.createDirectories(gatewayDrop(sut).resolve("results/r-1")).resolve("notes.txt"), sut);
            }
            assertThat(readOrNothing(s, "/results/r-1/notes.txt")).as("its own folder is its root").asString()
                    .isEqualTo("sut-b");
            for (String path : List.of("/../sut-c/results/r-1/notes.txt", "/sut-c/results/r-1/notes.txt",
                    "../../sut-c/results/r-1/notes.txt")) {
                assertThat(readOrNothing(s, path)).as(path).isNull();
            }
            assertThatThrownBy(() -> s.sftp().write("/current/r-999.xml").close()).as("a SUT never writes current/")
                    .isInstanceOf(IOException.class);
        }
        Path bKey = b.key();
        assertThatThrownBy(() -> SftpSession.open(URI.create("sftp://sut-c@127.0.0.1:" + gateway.sshPort() + "/"), bKey,
                b.knownHosts(), false, Duration.ofSeconds(3), Duration.ofSeconds(10)))
                .as("sut-b's key is not sut-c's").isInstanceOf(IOException.class);

        Files.writeString(gatewayDrop("sut-c").resolve("state_file"), "<unsent/>");
        lab.s.keys().setLabHost("lab-east", "sut-c", false);
        await().atMost(Duration.ofSeconds(15)).alias("a host taken out of the lab leaves the gateway").until(() ->
                gateway.hosts().equals(Set.of("sut-a", "sut-b")) && !Files.exists(gatewayDrop("sut-c")));
        try (Stream<Path> departed = Files.list(config.stateDir().resolve("departed"))) {
            Path kept = departed.filter(p -> p.getFileName().toString().startsWith("sut-c-")).findFirst().orElseThrow();
            assertThat(kept.resolve("state_file")).as("what its SUT wrote is kept, not deleted").hasContent("<unsent/>");
        }
        lab.s.hosts().add(new HostDraft("sut-d", "default", "", "olivia", false, true, null), "admin");
        lab.s.keys().setLabHost("lab-east", "sut-d", true);
        await().atMost(Duration.ofSeconds(15)).alias("a host added to the lab appears at the gateway").until(() ->
                gateway.hosts().contains("sut-d") && Files.isDirectory(gatewayDrop("sut-d").resolve("current")));
    }

    @Test
    void resultsWaitAtTheGatewayWhileTheLinkIsDownAndArriveOnceWhenItReturns() throws Exception {
        List<Agent> agents = idleAgents();
        List<Request> requests = placed(file("sut-a", "smoke:pass", "smoke:pass"), file("sut-b", "smoke:pass"),
                file("sut-c", "smoke:pass", "smoke:pass"));
        link.cut();
        for (Agent agent : agents) {
            assertThat(agent.poll()).as("the SUTs run what they have").isEqualTo(Agent.Outcome.RAN);
        }
        await().atMost(Duration.ofSeconds(10)).alias("the gateway noticed, at the latest when it had results to push")
                .until(() -> GatewayStatus.read(config.stateDir()).lastError() != null);
        for (int i = 0; i < SUTS.size(); i++) {
            String sut = SUTS.get(i);
            String id = requests.get(i).id();
            assertThat(gatewayDrop(sut).resolve("results/" + id + "/result.xml")).as("queued at the gateway").exists();
            assertThat(gatewayDrop(sut).resolve("current/" + id + ".xml")).as("the SUT ended the run").doesNotExist();
        }
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).alias("nothing reaches the server").until(() ->
                SUTS.stream().allMatch(s -> serverResults(s).isEmpty()));
        HttpResponse<String> notReady = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + gateway.httpPort() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notReady.statusCode()).as("/readyz says the link is down").isEqualTo(503);
        assertThat(notReady.body()).contains("the last sync with");
        ChildCli.Result statusCommand = gatewayStatus();
        assertThat(statusCommand.code()).as("labdrop gateway status says the link is down").isEqualTo(5);
        assertThat(statusCommand.out()).contains("last error");
        GatewayStatus down = GatewayStatus.read(config.stateDir());
        assertThat(down.hosts().values()).as("the status counts what waits").allMatch(h -> h.unsent() >= 2);
        for (int i = 0; i < SUTS.size(); i++) {
            assertThat(serverDrop(SUTS.get(i)).resolve("current/" + requests.get(i).id() + ".xml"))
                    .as("the server still has the request: its result has not arrived").exists();
            assertThat(lab.s.desk().find(requests.get(i).id()).state().isActive()).isTrue();
        }

        link.restore();
        for (int i = 0; i < SUTS.size(); i++) {
            Request request = requests.get(i);
            String sut = SUTS.get(i);
            await().atMost(Duration.ofSeconds(20)).until(() -> !lab.s.desk().find(request.id()).state().isActive());
            assertThat(lab.s.desk().find(request.id()).state()).as(sut).isEqualTo(RequestState.PASSED);
            await().atMost(Duration.ofSeconds(10)).alias("the queue at the gateway is empty").until(() ->
                    !Files.exists(gatewayDrop(sut).resolve("results/" + request.id()))
                            && !Files.exists(serverDrop(sut).resolve("current/" + request.id() + ".xml")));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> GatewayStatus.read(config.stateDir()).lastError() == null
                && GatewayStatus.read(config.stateDir()).hosts().values().stream().allMatch(h -> h.unsent() == 0));
        List<String> audit = Files.readAllLines(lab.config.ssh().auditLog());
        List<String> pushes = audit.stream().filter(line -> line.contains(" " + pushAuditEvent() + " ")).toList();
        for (int i = 0; i < SUTS.size(); i++) {
            String id = requests.get(i).id();
            String sut = SUTS.get(i);
            assertThat(audit.stream().filter(line -> line.contains(pushAuditEvent())
                    && line.endsWith("/results/" + id + "/result.xml"))).as("pushed once: " + id).hasSize(1);
            int resultXml = lastIndex(pushes, line -> line.endsWith("/results/" + id + "/result.xml"));
            int lastOther = lastIndex(pushes, line -> line.contains("/results/" + id + "/") && !line.endsWith("/result.xml"));
            int state = lastIndex(pushes, line -> line.endsWith(sut + "/state_file"));
            assertThat(lastOther).as(id + ": its logs went up").isNotNegative();
            assertThat(resultXml).as(id + ": result.xml went up after every other file of the result").isGreaterThan(lastOther);
            assertThat(state).as(sut + ": the state after the run went up after its result").isGreaterThan(resultXml);
        }
        assertThat(dotFiles(lab.config.dropDir())).as("no temporary file on the server").isEmpty();
    }

    @Test
    void filedWorkWakesTheSutsHeldDoorbellPollAtTheGatewayThroughTheLabsDoorbell() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.hosts().equals(Set.copyOf(SUTS))
                && Files.exists(gatewayDrop("sut-a").resolve("config/directions")));
        Path tokens = config.stateDir().resolve("doorbell-tokens.properties");
        await().atMost(Duration.ofSeconds(10)).until(() -> readString(tokens).contains("sut-a="));
        String url = "http://127.0.0.1:" + gateway.httpPort() + "/api/v1/hosts/sut-a/generation";
        String token = Files.readString(dir.resolve("sut-a/doorbell.token"));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token + "x").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("another token is refused").isEqualTo(401);

        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> held = http.sendAsync(HttpRequest.newBuilder(URI.create(url + "?wait=55"))
                .header("Authorization", "Bearer " + token).header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        assertThat(held).as("held while nothing changes").isNotDone();
        Request request = file("sut-a", "smoke:pass");
        HttpResponse<String> woken = held.get(20, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(seconds).as("woken by the filing, not by the end of its 55 s wait").isLessThan(20);
        assertThat(gatewayDrop("sut-a").resolve("current/" + request.id() + ".xml")).as("the request is there when the SUT looks")
                .exists();
    }
}
