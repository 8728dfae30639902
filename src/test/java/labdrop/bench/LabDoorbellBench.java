package labdrop.bench;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import labdrop.admin.HostDraft;
import labdrop.app.Services;
import labdrop.config.ServerConfig;
import labdrop.store.KeyRows;
import labdrop.testing.Ports;
import labdrop.transport.SftpSession;

/**
 * bench/gateway-bench.sh runs this: what it costs the server (a child JVM started by the launcher
 * as packaged, H2) to tell a lab of N hosts whether anything changed, two ways, in alternating
 * rounds: the N SUTs each polling their own doorbell over HTTP (a conditional GET answered 304, on
 * a new connection, as a once-a-minute schedule finds Jetty's idle connections closed), and the
 * lab's gateway asking once for the whole lab, answered at once with the unchanged lab: with
 * {@code labdrop-doorbell 0 TAG} on the SSH connection it keeps, and over HTTP with the lab's token
 * ({@code GET /api/v1/labs/LAB/generation}, 304, a new connection each). Server CPU from /proc over each batch.
 */
public final class LabDoorbellBench {
    public static void main(String[] args) throws Exception {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
        Path work = Path.of(args[0]);
        int hosts = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int port = Ports.free();
        int sshPort = Ports.free();
        Map<String, String> env = Map.of("LABDROP_STATE_DIR", work.resolve("state").toString(), "LABDROP_HTTP_HOST", "127.0.0.1",
                "LABDROP_HTTP_PORT", Integer.toString(port), "LABDROP_SSH_PORT", Integer.toString(sshPort),
                "LABDROP_SSH_HOST", "127.0.0.1", "LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        Path key = work.resolve("lab_key");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).inheritIO().start().waitFor();
        List<String> names = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        String labToken;
        try (Services s = Services.open(ServerConfig.load(null, env), Clock.systemUTC())) {
            for (int i = 0; i < hosts; i++) {
                String host = String.format("gw-%05d", i);
                s.hosts().add(new HostDraft(host, "default", "", null, false, true, null), "bench");
                tokens.add(s.doorbell().issueToken(host));
                names.add(host);
            }
            s.keys().addLab("bench-lab", names);
            s.keys().add(KeyRows.LAB, "bench-lab", Files.readString(work.resolve("lab_key.pub")), "key", "bench");
            labToken = s.labTokens().issue("bench-lab");
        }
        ProcessBuilder launcher = new ProcessBuilder(Path.of("appliance/labdrop").toAbsolutePath().toString(), "server")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("server.log").toFile()));
        launcher.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        launcher.environment().putAll(env);
        Process server = launcher.start();
        try {
            String base = "http://127.0.0.1:" + port;
            AgentBench.awaitHealthy(base);
            Path knownHosts = work.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + sshPort + " "
                    + Files.readString(work.resolve("state/ssh_host_ed25519_key.pub")));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
            List<String> etags = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                etags.add(http.send(poll(base, names.get(i), tokens.get(i), null), HttpResponse.BodyHandlers.discarding())
                        .headers().firstValue("ETag").orElseThrow());
            }
            try (SftpSession gateway = SftpSession.open(URI.create("sftp://bench-lab@127.0.0.1:" + sshPort + "/"), key,
                    knownHosts, false, Duration.ofSeconds(10), Duration.ofSeconds(60))) {
                String tag = labPoll(gateway, "-").tag;
                String labUrl = base + "/api/v1/labs/bench-lab/generation";
                if (labHttpPoll(http, labUrl, labToken, tag) != 304) {
                    throw new IllegalStateException("the lab's HTTP doorbell does not answer 304 to the SSH doorbell's tag");
                }
                int labPolls = 200;
                int sutRepeats = Math.max(1, 2000 / hosts);
                // warm-up: both paths compiled before the first measured round
                for (int w = 0; w < 3; w++) {
                    sutPolls(http, base, names, tokens, etags, sutRepeats);
                    for (int i = 0; i < labPolls; i++) {
                        labPoll(gateway, tag);
                        labHttpPoll(http, labUrl, labToken, tag);
                    }
                }
                double[] sut = new double[rounds];
                double[] lab = new double[rounds];
                double[] labHttp = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long t0 = AgentBench.cpuTicks(server.pid());
                    sutPolls(http, base, names, tokens, etags, sutRepeats);
                    sut[r] = (AgentBench.cpuTicks(server.pid()) - t0) * 10.0 / sutRepeats;
                    long t1 = AgentBench.cpuTicks(server.pid());
                    for (int i = 0; i < labPolls; i++) {
                        labPoll(gateway, tag);
                    }
                    lab[r] = (AgentBench.cpuTicks(server.pid()) - t1) * 10.0 / labPolls;
                    long t2 = AgentBench.cpuTicks(server.pid());
                    for (int i = 0; i < labPolls; i++) {
                        if (labHttpPoll(http, labUrl, labToken, tag) != 304) {
                            throw new IllegalStateException("the lab's HTTP doorbell changed during the bench");
                        }
                    }
                    labHttp[r] = (AgentBench.cpuTicks(server.pid()) - t2) * 10.0 / labPolls;
                }
                double sutMedian = median(sut);
                double labMedian = median(lab);
                System.out.println("| lab of " + hosts + " hosts, " + rounds + " rounds | server CPU to check the whole lab, median"
                        + " | per round |");
                System.out.println("|---|---|---|");
                System.out.printf("| %d SUTs each polling their doorbell (HTTP 304, a new connection each) | %.2f ms (%.3f ms per SUT) | %s |%n",
                        hosts, sutMedian, sutMedian / hosts, Arrays.toString(round(sut)));
                System.out.printf("| the gateway's one lab poll (labdrop-doorbell on its kept SSH connection) | %.2f ms | %s |%n",
                        labMedian, Arrays.toString(round(lab)));
                double httpMedian = median(labHttp);
                System.out.printf("| the gateway's one lab poll over HTTP with the lab token (304, a new connection each) | %.2f ms | %s |%n",
                        httpMedian, Arrays.toString(round(labHttp)));
                System.out.printf("| ratio | %.1fx less server CPU through the gateway over ssh, %.1fx over HTTP | |%n",
                        sutMedian / labMedian, sutMedian / httpMedian);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static HttpRequest poll(String base, String host, String token, String etag) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts/" + host + "/generation"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        if (etag != null) {
            request.header("If-None-Match", etag).header("Connection", "close");
        }
        return request.build();
    }

    /** Every SUT polls once, each on a new connection (the server is asked to close it after the answer). */
    private static void sutPolls(HttpClient http, String base, List<String> names, List<String> tokens, List<String> etags,
                                 int repeats) throws Exception {
        for (int r = 0; r < repeats; r++) {
            for (int i = 0; i < names.size(); i++) {
                int status = http.send(poll(base, names.get(i), tokens.get(i), etags.get(i)),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 304) {
                    throw new IllegalStateException("doorbell answered " + status);
                }
            }
        }
    }

    /** The lab's doorbell over HTTP as a gateway with server.doorbell-url asks it: 304 while the tag holds, on a new connection. */
    private static int labHttpPoll(HttpClient http, String url, String token, String tag) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("If-None-Match", "\"" + tag + "\"")
                .header("Connection", "close").build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private record Answer(String tag) {
    }

    private static Answer labPoll(SftpSession gateway, String tag) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SftpSession.Exec done = gateway.exec("labdrop-doorbell 0 " + tag, out, Duration.ofSeconds(30));
        if (done.status() != 0) {
            throw new IllegalStateException("lab doorbell ended with " + done.status() + ": " + done.stderr());
        }
        String first = out.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        return new Answer(first.substring("tag ".length()));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static double[] round(double[] values) {
        return Arrays.stream(values).map(v -> Math.round(v * 100) / 100.0).toArray();
    }
}
