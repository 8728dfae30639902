package labdrop.bench;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.admin.HostDraft;
import labdrop.app.Services;
import labdrop.app.TestNginx;
import labdrop.config.ServerConfig;
import labdrop.testing.Ports;
import labdrop.user.Role;

/**
 * A dashboard of N hosts (issue 19): the first page a browser loads and the live refresh it repeats
 * every 3 s, quiet and with hosts changing, against nginx serving the same first page as a static
 * file, in one run, rounds alternating. The server is started by the launcher as packaged; its CPU
 * is read from /proc around each batch of requests. Usage: DashboardBench WORK HOSTS ROUNDS
 */
public final class DashboardBench {
    private static final int BATCH = 100;
    private static final String PASSWORD = "the bench's long password";
    private static final Pattern TICK = Pattern.compile("\"tick\":(\\d+)");

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int hosts = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int port = Ports.free();
        int sshPort = Ports.free();
        int nginxPort = Ports.free();
        Map<String, String> env = Map.of("LABDROP_STATE_DIR", work.resolve("state").toString(), "LABDROP_HTTP_HOST", "127.0.0.1",
                "LABDROP_HTTP_PORT", Integer.toString(port), "LABDROP_SSH_PORT", Integer.toString(sshPort),
                "LABDROP_SSH_HOST", "127.0.0.1", "LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        String token;
        try (Services s = Services.open(ServerConfig.load(null, env), Clock.systemUTC())) {
            s.accounts().setAccount("bench", Role.ADMIN, PASSWORD.toCharArray());
            token = s.accounts().newToken("bench", "bench");
            Path types = work.resolve("state/host-types");
            for (int t = 0; t < 10; t++) {
                Files.copy(types.resolve("default"), types.resolve("type-" + t));
            }
            for (int i = 0; i < hosts; i++) {
                s.hosts().add(new HostDraft(host(i), "type-" + (i % 10), i % 4 == 0 ? "gpu" : "", null, false, true, null), "bench");
            }
        }
        ProcessBuilder launcher = new ProcessBuilder(Path.of("appliance/labdrop").toAbsolutePath().toString(), "server")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("server.log").toFile()));
        launcher.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        launcher.environment().putAll(env);
        Process server = launcher.start();
        TestNginx nginx = null;
        try {
            String base = "http://127.0.0.1:" + port;
            AgentBench.awaitHealthy(base);
            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            logIn(browser, base);
            String first = get(browser, base + "/").body();
            Path www = Files.createDirectories(work.resolve("www"));
            Files.writeString(www.resolve("index.html"), first);
            nginx = TestNginx.start(work.resolve("nginx"), "server { listen 127.0.0.1:" + nginxPort + "; root " + www + "; access_log off; }");
            List<Double> pageMs = new ArrayList<>();
            List<Double> quietMs = new ArrayList<>();
            List<Double> busyMs = new ArrayList<>();
            List<Double> nginxMs = new ArrayList<>();
            long[] bytes = new long[4];
            // warm-up: the JIT compiles the pages' paths
            for (int i = 0; i < 300; i++) {
                get(browser, base + "/");
                get(browser, base + "/live/hosts.json?since=" + tick(browser, base));
            }
            for (int r = 0; r < rounds; r++) {
                boolean nginxFirst = r % 2 == 1;
                if (nginxFirst) {
                    nginxMs.add(peer(work, browser, "http://127.0.0.1:" + nginxPort + "/index.html", bytes));
                }
                pageMs.add(serverBatch(server, () -> bytes[0] = get(browser, base + "/").body().length()));
                long since = tick(browser, base);
                quietMs.add(serverBatch(server, () -> bytes[1] = get(browser, base + "/live/hosts.json?since=" + since).body().length()));
                // a busy lab: between two refreshes, 20 hosts of the first page change state
                busyMs.add(busyBatch(server, browser, base, token, bytes));
                if (!nginxFirst) {
                    nginxMs.add(peer(work, browser, "http://127.0.0.1:" + nginxPort + "/index.html", bytes));
                }
            }
            System.out.println("| " + hosts + " hosts, " + rounds + " rounds alternating, server CPU per request (batches of "
                    + BATCH + ") | min | median | max | bytes |");
            System.out.println("|---|---|---|---|---|");
            row("first page `/` (100 hosts of " + hosts + ", pools, counts)", pageMs, bytes[0]);
            row("live refresh, nothing changed (`/live/hosts.json?since=T`)", quietMs, bytes[1]);
            row("live refresh, 20 hosts of the page changed since the last", busyMs, bytes[2]);
            row("nginx: the same first page as a static file (nginx's CPU)", nginxMs, bytes[3]);
        } finally {
            if (nginx != null) {
                nginx.close();
            }
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private static double serverBatch(Process server, Step step) throws Exception {
        long ticks0 = AgentBench.cpuTicks(server.pid());
        for (int i = 0; i < BATCH; i++) {
            step.run();
        }
        return (AgentBench.cpuTicks(server.pid()) - ticks0) * 10.0 / BATCH;
    }

    /** Server CPU per refresh when 20 hosts of the page changed before each; the changes' own CPU is not counted. */
    private static double busyBatch(Process server, HttpClient browser, String base, String token, long[] bytes) throws Exception {
        long ticks = 0;
        for (int i = 0; i < BATCH; i++) {
            long since = tick(browser, base);
            for (int h = 0; h < 20; h++) {
                String name = host(h * 10); // hosts of type-0, all on the first page
                api(browser, base, token, "/hosts/" + name + (i % 2 == 0 ? "/maint" : "/activate"));
            }
            long t0 = AgentBench.cpuTicks(server.pid());
            bytes[2] = get(browser, base + "/live/hosts.json?since=" + since).body().length();
            ticks += AgentBench.cpuTicks(server.pid()) - t0;
        }
        return ticks * 10.0 / BATCH;
    }

    private static double peer(Path work, HttpClient browser, String url, long[] bytes) throws Exception {
        long pid = Long.parseLong(Files.readString(work.resolve("nginx/nginx.pid")).strip());
        long worker = ProcessHandle.of(pid).orElseThrow().children().findFirst().orElseThrow().pid();
        // ten times the batch: nginx's CPU per request is below /proc's 10 ms resolution over 100
        long ticks0 = AgentBench.cpuTicks(worker);
        for (int i = 0; i < BATCH * 10; i++) {
            bytes[3] = get(browser, url).body().length();
        }
        return (AgentBench.cpuTicks(worker) - ticks0) * 10.0 / (BATCH * 10);
    }

    private static long tick(HttpClient browser, String base) throws Exception {
        Matcher m = TICK.matcher(get(browser, base + "/live/hosts.json?size=1").body());
        if (!m.find()) {
            throw new IllegalStateException("the live feed gave no tick");
        }
        return Long.parseLong(m.group(1));
    }

    private static void row(String what, List<Double> ms, long bytes) {
        List<Double> sorted = new ArrayList<>(ms);
        sorted.sort(null);
        System.out.printf("| %s | %.3f ms | %.3f ms | %.3f ms | %,d |%n", what, sorted.get(0), sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1), bytes);
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private static void api(HttpClient http, String base, String token, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1" + path)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static void logIn(HttpClient browser, String base) throws Exception {
        String form = get(browser, base + "/login").body();
        String csrf = form.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", base).POST(HttpRequest.BodyPublishers.ofString("csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8)
                        + "&user=bench&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private static String host(int i) {
        return String.format("db-%05d", i);
    }
}
