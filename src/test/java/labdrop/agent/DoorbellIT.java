package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import labdrop.admin.HostDraft;
import labdrop.host.HostState;
import labdrop.app.TestLab;
import labdrop.app.TestNginx;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.user.Role;
import labdrop.store.HostRows;
import labdrop.testing.Ports;
import labdrop.user.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The doorbell: the per-host generation over HTTP (ETag, 304, the host's own token) and the agent polling it. */
class DoorbellIT {
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    TestLab lab;
    String base;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        base = "http://127.0.0.1:" + lab.app.httpPort();
        lab.s.hosts().add(new HostDraft("sut-01", "default", "", "olivia", false, true, null), "admin");
        lab.s.hosts().add(new HostDraft("sut-02", "default", "", "olivia", false, true, null), "admin");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    HttpResponse<String> bell(String host, String token, String etag) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts/" + host + "/generation"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> held(String host, String token, String etag, String wait) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts/" + host + "/generation?wait=" + wait))
                .header("Authorization", "Bearer " + token).header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Files a smoke request for sut-01 (a running daemon may pick it up and finish it at once). */
    Request fileOnly() {
        return lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                Priority.NORMAL, false, null, null, null, null));
    }

    /** Files one and waits until its request file is in the drop (no agent runs meanwhile). */
    Request file() {
        Request r = fileOnly();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(lab.config.dropDir()
                .resolve("sut-01/current/" + r.id() + ".xml")));
        return r;
    }

    @Test
    void theGenerationAnswers304UntilAPlacementOrConfigChangeAndOnlyToTheHostsToken() throws Exception {
        String token = lab.s.doorbell().issueToken("sut-01");
        String other = lab.s.doorbell().issueToken("sut-02");
        assertThat(bell("sut-01", null, null).statusCode()).isEqualTo(401);
        assertThat(bell("sut-01", other, null).statusCode()).as("another host's token").isEqualTo(401);
        assertThat(bell("sut-01", "ldt_forged", null).statusCode()).isEqualTo(401);
        assertThat(bell("sut-01", null, null).body()).contains("labdrop host token sut-01");
        HttpResponse<String> noHost = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts/generation"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noHost.statusCode()).as("a doorbell path without a host is refused as any API path (was a 500)")
                .isEqualTo(401);

        HttpResponse<String> first = bell("sut-01", token, null);
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(bell("sut-01", token, etag).statusCode()).isEqualTo(304);

        file();
        await().atMost(Duration.ofSeconds(5)).until(() -> bell("sut-01", token, etag).statusCode() == 200);
        String afterPlacement = bell("sut-01", token, null).headers().firstValue("ETag").orElseThrow();
        lab.s.hosts().writeConfig("sut-01", "directions", "max_load = 40\n", "admin");
        await().atMost(Duration.ofSeconds(5)).until(() -> bell("sut-01", token, afterPlacement).statusCode() == 200);

        String renewed = lab.s.doorbell().issueToken("sut-01");
        assertThat(bell("sut-01", token, null).statusCode()).as("the replaced token").isEqualTo(401);
        assertThat(bell("sut-01", renewed, null).statusCode()).isEqualTo(200);
    }

    Map<String, String> agentEnv() throws Exception {
        Path tokenFile = dir.resolve("doorbell.token");
        Files.writeString(tokenFile, lab.s.doorbell().issueToken("sut-01") + "\n");
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "sut-01");
        env.put("LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-01").toUri().toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
        env.put("LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_DOORBELL_URL", base + "/api/v1/hosts/sut-01/generation");
        env.put("LABDROP_DOORBELL_TOKEN_FILE", tokenFile.toString());
        env.put("LABDROP_SCHEDULE_JITTER", "0s");
        return env;
    }

    @Test
    void theDaemonStartsWorkFiledForAnIdleHostWithoutWaitingForItsSchedule() throws Exception {
        Map<String, String> env = agentEnv();
        // A scheduled poll every second, each after a random wait of up to an hour: one is nearly always
        // waiting out its jitter, and none comes within the test, so only the doorbell can start these runs,
        // and a scheduled poll's wait must not hold up the doorbell's poll.
        env.put("LABDROP_SCHEDULE_CRON", "* * * * * ?");
        env.put("LABDROP_SCHEDULE_JITTER", "1h");
        try (AgentDaemon daemon = new AgentDaemon(new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(5)))) {
            daemon.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.doorbell().held() == 1
                    && lab.s.hosts().show("sut-01").state() == HostState.AVAILABLE);
            Request first = fileOnly();
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(first.id()).state() == RequestState.PASSED);
            // the run's end moved the generation too; the daemon holds its poll again and the next request starts the same way
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.doorbell().held() == 1);
            Request second = fileOnly();
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(second.id()).state() == RequestState.PASSED);
        }
    }

    /**
     * A run longer than Quartz's misfire threshold (1 s) while the schedule fires: the scheduled poll
     * that waited behind it misfired, and Quartz's in-memory store kept it, finished, under its
     * name, which refused every later scheduled poll: the daemon never polled on schedule again.
     */
    @Test
    void scheduledPollsGoOnAfterARunLongerThanTheMisfireThreshold() throws Exception {
        Map<String, String> env = agentEnv();
        env.put("LABDROP_SCHEDULE_CRON", "* * * * * ?");
        // quiet polls are counted in doorbell.state until the safety net's poll; not within this test
        env.put("LABDROP_DOORBELL_SAFETY_EVERY", "10000");
        try (AgentDaemon daemon = new AgentDaemon(new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(5)))) {
            daemon.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.hosts().show("sut-01").state() == HostState.AVAILABLE);
            Request slow = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke:sleep 4")),
                    Priority.NORMAL, false, null, null, null, null));
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(slow.id()).state() == RequestState.PASSED);
            Path state = dir.resolve("agent/doorbell.state");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(state));
            int before = Integer.parseInt(Files.readAllLines(state).get(1).strip());
            await("scheduled polls after the run").atMost(Duration.ofSeconds(15))
                    .until(() -> Integer.parseInt(Files.readAllLines(state).get(1).strip()) >= before + 3);
        }
    }

    @Test
    void aDoorbellThatCutsItsConnectionsLeavesTheDaemonPollingOnSchedule() throws Exception {
        try (ServerSocket cutter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread cuts = new Thread(() -> {
                while (!cutter.isClosed()) {
                    try (Socket s = cutter.accept()) {
                        s.getInputStream().read();
                    } catch (Exception closed) {
                        // the test ends
                    }
                }
            });
            cuts.setDaemon(true);
            cuts.start();
            Map<String, String> env = agentEnv();
            env.put("LABDROP_DOORBELL_URL", "http://127.0.0.1:" + cutter.getLocalPort() + "/api/v1/hosts/sut-01/generation");
            env.put("LABDROP_SCHEDULE_CRON", "0/2 * * * * ?");
            try (AgentDaemon daemon = new AgentDaemon(new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(5)))) {
                daemon.start();
                Request request = fileOnly();
                await().atMost(Duration.ofSeconds(60)).until(() -> lab.s.desk().find(request.id()).state() == RequestState.PASSED);
            }
        }
    }

    /**
     * Debian's nginx between the agent and the server, cutting requests that stay quiet for 8 s
     * ({@code proxy_read_timeout}; 60 s by default) with 504: the daemon's first held poll (55 s) is
     * cut, the agent holds its polls for less from then on, and work filed later still starts at once
     * (the schedule is hourly here), with no further cut.
     */
    @Test
    void behindAProxyThatCutsQuietRequestsTheAgentHoldsItsPollsForLessAndWorkStillStartsAtOnce() throws Exception {
        int front = Ports.free();
        try (TestNginx nginx = TestNginx.start(dir.resolve("nginx"), String.join("\n",
                "  log_format polls '$status $request_time $request_uri';",
                "  access_log " + dir.resolve("nginx/logs/access.log") + " polls;",
                "  server {",
                "    listen 127.0.0.1:" + front + ";",
                "    location / {",
                "      proxy_pass http://127.0.0.1:" + lab.app.httpPort() + ";",
                "      proxy_read_timeout 8s;",
                "    }",
                "  }"))) {
            Map<String, String> env = agentEnv();
            env.put("LABDROP_DOORBELL_URL", "http://127.0.0.1:" + front + "/api/v1/hosts/sut-01/generation");
            env.put("LABDROP_SCHEDULE_CRON", "0 0 * * * ?");
            Path log = nginx.log("access.log");
            try (AgentDaemon daemon = new AgentDaemon(new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(5)))) {
                daemon.start();
                await().atMost(Duration.ofSeconds(40)).until(() -> Files.exists(log)
                        && Files.readString(log).contains("304 ") && Files.readString(log).contains("wait=6"));
                assertThat(Files.readString(log)).as("the first poll, cut by the proxy").containsPattern("(?m)^504 .*wait=55$");
                Request request = fileOnly();
                await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(request.id()).state() == RequestState.PASSED);
                List<String> lines = Files.readAllLines(log);
                assertThat(lines.stream().filter(l -> l.startsWith("504 "))).as("cut once, then held below the proxy's timeout")
                        .hasSize(1);
                assertThat(lines.stream().filter(l -> l.startsWith("200 ") && l.contains("wait=6"))).as("the filing rang a held poll")
                        .isNotEmpty();
            }
        }
    }

    @Test
    void theAgentOpensTheDropOnlyWhenTheDoorbellRingsOrTheSafetyNetIsDue() throws Exception {
        Map<String, String> env = agentEnv();
        Path tokenFile = Path.of(env.get("LABDROP_DOORBELL_TOKEN_FILE"));
        env.put("LABDROP_DOORBELL_SAFETY_EVERY", "4");
        Agent agent = new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(5));

        assertThat(agent.poll()).as("the first poll reports the state").isEqualTo(Agent.Outcome.IDLE);
        assertThat(agent.poll()).as("the first doorbell read").isEqualTo(Agent.Outcome.IDLE);
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.QUIET);
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.QUIET);
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.QUIET);
        assertThat(agent.poll()).as("every fourth poll opens the drop anyway").isEqualTo(Agent.Outcome.IDLE);

        Request request = file();
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.poll() == Agent.Outcome.RAN);
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(request.id()).state() == RequestState.PASSED);

        Files.writeString(tokenFile, "ldt_revoked\n");
        assertThat(agent.poll()).as("a refused doorbell falls back to the drop").isEqualTo(Agent.Outcome.IDLE);
    }

    @Test
    void aHeldPollIsAnsweredByAPlacementOrAConfigChangeOrWhenItsWaitRunsOut() throws Exception {
        String token = lab.s.doorbell().issueToken("sut-01");
        String etag = bell("sut-01", token, null).headers().firstValue("ETag").orElseThrow();

        CompletableFuture<HttpResponse<String>> placement = held("sut-01", token, etag, "25");
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.s.doorbell().held() == 1);
        assertThat(placement).as("held while nothing changes").isNotDone();
        file();
        // answered by the placement, well before its wait ran out
        HttpResponse<String> rang = placement.get(10, TimeUnit.SECONDS);
        assertThat(rang.statusCode()).isEqualTo(200);
        String afterPlacement = rang.headers().firstValue("ETag").orElseThrow();
        assertThat(afterPlacement).isNotEqualTo(etag);
        assertThat(rang.body()).contains("\"host\":\"sut-01\"");

        CompletableFuture<HttpResponse<String>> config = held("sut-01", token, afterPlacement, "25");
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.s.doorbell().held() == 1);
        lab.s.hosts().writeConfig("sut-01", "directions", "max_load = 40\n", "admin");
        assertThat(config.get(10, TimeUnit.SECONDS).statusCode()).as("a config change rings too").isEqualTo(200);

        String now = bell("sut-01", token, null).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> quiet = held("sut-01", token, now, "1").get(10, TimeUnit.SECONDS);
        assertThat(quiet.statusCode()).as("the wait ran out").isEqualTo(304);
        assertThat(quiet.headers().firstValue("ETag")).contains(now);
        assertThat(lab.s.doorbell().held()).isZero();

        CompletableFuture<HttpResponse<String>> stale = held("sut-01", token, "\"g0\"", "25");
        assertThat(stale.get(10, TimeUnit.SECONDS).statusCode()).as("an old ETag is answered at once").isEqualTo(200);
    }

    /**
     * What another process writing the store does (a CLI with the store open, another server node):
     * the change does not pass through this server's ring, and reaches its held polls and its cache
     * through the store's change feed within about a second.
     */
    @Test
    void changesWrittenToTheStoreByAnotherProcessReachHeldPollsWithinAboutASecond() throws Exception {
        // a token issued here, then replaced elsewhere before the host's first poll (labdrop host token on the store)
        lab.s.doorbell().issueToken("sut-02");
        lab.s.lab().store().tx(h -> {
            HostRows.setDoorbellToken(h, "sut-02", Tokens.hash("ldt_issued_elsewhere"));
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> bell("sut-02", "ldt_issued_elsewhere", null).statusCode() == 200);

        String token = lab.s.doorbell().issueToken("sut-01");
        String etag = bell("sut-01", token, null).headers().firstValue("ETag").orElseThrow();

        CompletableFuture<HttpResponse<String>> bumped = held("sut-01", token, etag, "50");
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.s.doorbell().held() == 1);
        lab.s.lab().store().tx(h -> {
            HostRows.bumpGeneration(h, "sut-01");
            return null;
        });
        HttpResponse<String> changed = bumped.get(5, TimeUnit.SECONDS);
        assertThat(changed.statusCode()).isEqualTo(200);
        String next = changed.headers().firstValue("ETag").orElseThrow();
        assertThat(next).isNotEqualTo(etag);

        lab.s.lab().store().tx(h -> {
            HostRows.setDoorbellToken(h, "sut-01", Tokens.hash("ldt_elsewhere"));
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> bell("sut-01", token, null).statusCode() == 401);
        assertThat(bell("sut-01", "ldt_elsewhere", next).statusCode()).as("the token set elsewhere").isEqualTo(304);

        CompletableFuture<HttpResponse<String>> retired = held("sut-01", "ldt_elsewhere", next, "50");
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.s.doorbell().held() == 1);
        lab.s.lab().store().tx(h -> {
            HostRows.setState(h, "sut-01", HostState.RETIRED, Instant.now());
            return null;
        });
        assertThat(retired.get(5, TimeUnit.SECONDS).statusCode()).as("a retired host's poll is let go").isEqualTo(304);
        assertThat(bell("sut-01", "ldt_elsewhere", null).statusCode()).as("and its doorbell refuses").isEqualTo(401);
    }

    @Test
    void theWaitAndTheNumberOfHeldPollsAreBounded() throws Exception {
        String token = lab.s.doorbell().issueToken("sut-01");
        String etag = bell("sut-01", token, null).headers().firstValue("ETag").orElseThrow();
        for (String bad : List.of("56", "-1", "1e9", "99999999999999999999999")) {
            HttpResponse<String> refused = held("sut-01", token, etag, bad).get(10, TimeUnit.SECONDS);
            assertThat(refused.statusCode()).as("wait=" + bad).isEqualTo(400);
            assertThat(refused.body()).contains("wait=").contains("0 to 55").contains("55 or less");
        }
        assertThat(held("sut-01", "ldt_forged", etag, "25").get(10, TimeUnit.SECONDS).statusCode())
                .as("a wrong token is refused before anything is held").isEqualTo(401);

        List<CompletableFuture<HttpResponse<String>>> two = List.of(held("sut-01", token, etag, "25"), held("sut-01", token, etag, "25"));
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.s.doorbell().held() == 2);
        HttpResponse<String> third = held("sut-01", token, etag, "25").get(10, TimeUnit.SECONDS);
        assertThat(third.statusCode()).as("a third held poll of one host").isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).contains("55");
        assertThat(third.body()).contains("2 per host");
        assertThat(bell("sut-01", token, etag).statusCode()).as("a poll without wait is still answered").isEqualTo(304);

        file();
        for (CompletableFuture<HttpResponse<String>> poll : two) {
            assertThat(poll.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(lab.s.doorbell().held()).isZero();
    }

    @Test
    void aHeldPollOutlivesTheServersIdleTimeoutUpToItsWait() throws Exception {
        String token = lab.s.doorbell().issueToken("sut-01");
        String etag = bell("sut-01", token, null).headers().firstValue("ETag").orElseThrow();
        // Jetty closes a connection that is quiet for 30 s; a held poll is quiet by design
        long start = System.nanoTime();
        HttpResponse<String> quiet = held("sut-01", token, etag, "35").get(60, TimeUnit.SECONDS);
        assertThat(quiet.statusCode()).as("answered when its wait ran out, not cut at the idle timeout").isEqualTo(304);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(34));
        assertThat(bell("sut-01", token, etag).statusCode()).as("the connection still serves").isEqualTo(304);
    }

    @Test
    void anAgentsKeptConnectionIsAnsweredWhileSlowUploadsHoldEveryRequestThread() throws Exception {
        String token = lab.s.doorbell().issueToken("sut-01");
        String coldToken = lab.s.doorbell().issueToken("sut-02");
        // sut-01's agent (this client) keeps its connection, and its first poll put sut-01 into the
        // doorbell's memory; sut-02 has never polled
        String etag = bell("sut-01", token, null).headers().firstValue("ETag").orElseThrow();
        HttpClient visitor = HttpClient.newHttpClient();
        int port = lab.app.httpPort();
        lab.s.accounts().setAccount("root-admin", Role.ADMIN, "a long admin password".toCharArray());
        String admin = lab.s.accounts().newToken("root-admin", "uploads");
        List<Socket> slow = new ArrayList<>();
        CompletableFuture<HttpResponse<String>> page;
        CompletableFuture<HttpResponse<String>> cold;
        try {
            // package uploads whose bytes never come: each holds a request thread (Jetty has 200)
            for (int i = 0; i < 240; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.getOutputStream().write(("PUT /api/v1/packages/builtin/test-slow" + i + ".tar.bz2 HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nAuthorization: Bearer " + admin + "\r\nX-Labdrop-Sha256: " + "0".repeat(64)
                        + "\r\nContent-Length: 1000000\r\n\r\nBZh9").getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            page = visitor.sendAsync(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThatThrownBy(() -> page.get(3, TimeUnit.SECONDS)).as("every request thread is busy: a page waits")
                    .isInstanceOf(TimeoutException.class);
            cold = visitor.sendAsync(poll("sut-02", coldToken, null), HttpResponse.BodyHandlers.ofString());

            assertThat(http.sendAsync(poll("sut-01", token, etag), HttpResponse.BodyHandlers.ofString())
                    .get(5, TimeUnit.SECONDS).statusCode()).as("the agent's poll is answered meanwhile").isEqualTo(304);
            assertThat(http.sendAsync(poll("sut-01", "ldt_forged", null), HttpResponse.BodyHandlers.ofString())
                    .get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
            file();
            assertThat(http.sendAsync(poll("sut-01", token, etag), HttpResponse.BodyHandlers.ofString())
                    .get(5, TimeUnit.SECONDS).statusCode()).as("and rings for work filed meanwhile").isEqualTo(200);
            assertThat(cold).as("a host's first poll reads the store, on a request thread").isNotDone();
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        assertThat(page.get(30, TimeUnit.SECONDS).statusCode()).as("the page, once threads are free").isEqualTo(200);
        assertThat(cold.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    HttpRequest poll(String host, String token, String etag) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts/" + host + "/generation"))
                .header("Authorization", "Bearer " + token);
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        return b.build();
    }
}
