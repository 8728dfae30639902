package labdrop.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import labdrop.admin.HostDraft;
import labdrop.app.Services;
import labdrop.config.ServerConfig;
import labdrop.testing.Ports;

/**
 * bench/longpoll-bench.sh runs this: what N waiting agents cost the server (a child JVM with the
 * package's default options, H2), measured from /proc over a window: idle with no agent; N agents
 * long-polling the doorbell (each a held poll of up to 55 s, answered 304 when it runs out and sent
 * again at once; every 10th poll of an agent asks the server to close its connection, so agents
 * reconnect every few minutes, as behind a proxy or after a restart); and the same N agents
 * polling once a minute without long-polling, each poll on a new connection (Jetty closes idle
 * connections after 30 s, so a 1-minute or 2-minute schedule never finds its last one open).
 * Prints the server's CPU (user + system, from /proc) as a share of 2 cores, per answered poll, and
 * its resident memory; traffic runs a minute before each window, as the JIT compiles its path, and
 * the long-poll is measured again in minute 5, when the compilers have settled.
 */
public final class LongPollBench {
    private static final Duration WINDOW = Duration.ofSeconds(60);
    private static final int RECONNECT_EVERY = 10;

    public static void main(String[] args) throws Exception {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
        Path work = Path.of(args[0]);
        int hosts = Integer.parseInt(args[1]);
        int port = Ports.free();
        int sshPort = Ports.free();
        Map<String, String> env = Map.of("LABDROP_STATE_DIR", work.resolve("state").toString(), "LABDROP_HTTP_HOST", "127.0.0.1",
                "LABDROP_HTTP_PORT", Integer.toString(port), "LABDROP_SSH_PORT", Integer.toString(sshPort),
                "LABDROP_SSH_HOST", "127.0.0.1", "LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        List<String> tokens = new ArrayList<>();
        try (Services s = Services.open(ServerConfig.load(null, env), Clock.systemUTC())) {
            for (int i = 0; i < hosts; i++) {
                s.hosts().add(new HostDraft(host(i), "default", "", null, false, true, null), "bench");
                tokens.add(s.doorbell().issueToken(host(i)));
            }
        }
        // The server as the package starts it: the launcher, the packaged jar and the launcher's JVM options;
        // LABDROP_BENCH_SERVER_OPTS adds options after them (they win), e.g. to record it with JFR
        String opts = System.getenv().getOrDefault("LABDROP_BENCH_SERVER_OPTS", "").strip();
        ProcessBuilder launcher = new ProcessBuilder(Path.of("appliance/labdrop").toAbsolutePath().toString(), "server")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("server.log").toFile()));
        launcher.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        launcher.environment().putAll(env);
        launcher.environment().put("LABDROP_JAVA_OPTS", opts);
        Process server = launcher.start();
        try {
            String base = "http://127.0.0.1:" + port;
            AgentBench.awaitHealthy(base);
            Thread.sleep(15_000);
            System.out.println("| " + hosts + " agents, server as packaged" + (opts.isEmpty() ? "" : " + " + opts) + ", " + WINDOW.toSeconds() + " s window"
                    + " | server CPU, share of 2 cores | CPU per answered poll | polls answered | server RSS |");
            System.out.println("|---|---|---|---|---|");
            row("no agent (idle)", server, new AtomicLong());

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            AtomicLong answered = new AtomicLong();
            Poller.running = true;
            for (int i = 0; i < hosts; i++) {
                new Poller(http, base, host(i), tokens.get(i), answered).next(null);
            }
            Thread.sleep(60_000);
            // the JIT compiles the request path during the first minutes of traffic: minute 2, then
            // minute 5, when the compilers have settled (a server runs for months)
            row("long-polling (wait=55, a new connection every " + RECONNECT_EVERY + " polls), minute 2", server, answered);
            Thread.sleep(120_000);
            row("long-polling, minute 5", server, answered);
            Poller.running = false;
            Thread.sleep(30_000);

            AtomicLong shortPolls = new AtomicLong();
            ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
            for (int i = 0; i < hosts; i++) {
                String host = host(i);
                String token = tokens.get(i);
                clock.scheduleAtFixedRate(() -> http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts/" + host + "/generation"))
                        .header("Authorization", "Bearer " + token).header("Connection", "close").build(),
                        HttpResponse.BodyHandlers.discarding()).thenRun(shortPolls::incrementAndGet),
                        i * 60_000L / hosts, 60_000, TimeUnit.MILLISECONDS);
            }
            Thread.sleep(60_000);
            row("polling once a minute, no long-poll (a new connection each), minute 2", server, shortPolls);
            clock.shutdownNow();
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static String host(int i) {
        return String.format("lp-%05d", i);
    }

    private static void row(String what, Process server, AtomicLong answered) throws Exception {
        long ticks0 = AgentBench.cpuTicks(server.pid());
        long polls0 = answered.get();
        long t0 = System.nanoTime();
        Thread.sleep(WINDOW.toMillis());
        long ticks = AgentBench.cpuTicks(server.pid()) - ticks0;
        long polls = answered.get() - polls0;
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuSeconds = ticks / 100.0;
        System.out.printf("| %s | %.1f %% | %s | %d | %d MiB |%n", what, 100 * cpuSeconds / seconds / 2,
                polls == 0 ? "-" : String.format("%.3f ms", 1000 * cpuSeconds / polls), polls, AgentBench.rssKib(server.pid()) / 1024);
    }

    /** One agent's long-poll loop: a held poll, then the next at once with the ETag it was given. */
    private static final class Poller {
        static volatile boolean running;
        private final HttpClient http;
        private final String url;
        private final String token;
        private final AtomicLong answered;
        private int polls;

        Poller(HttpClient http, String base, String host, String token, AtomicLong answered) {
            this.http = http;
            this.url = base + "/api/v1/hosts/" + host + "/generation";
            this.token = token;
            this.answered = answered;
        }

        void next(String etag) {
            if (!running) {
                return;
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(etag == null ? url : url + "?wait=55"))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token);
            if (etag != null) {
                request.header("If-None-Match", etag);
            }
            if (++polls % RECONNECT_EVERY == 0) {
                request.header("Connection", "close");
            }
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                if (failure != null) {
                    next(etag);
                    return;
                }
                answered.incrementAndGet();
                next(response.headers().firstValue("ETag").orElse(etag));
            });
        }
    }
}
