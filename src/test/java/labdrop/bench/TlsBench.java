package labdrop.bench;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import labdrop.testing.Ports;
import labdrop.tls.TestCa;
import labdrop.tls.TlsKeys;

/**
 * Issue 17's measurements, each server a child process whose CPU is read from /proc net of its
 * idle rate: (1) the doorbell's server CPU per idle poll (the agent's conditional GET, 304) on a
 * kept-alive connection over HTTP and over HTTPS, with curl doing the same on one connection as
 * the native peer, rounds alternating; (2) the server CPU of a refused login (60 wrong passwords
 * for admin from one address, then 60 for an unknown account) on a baseline build and on this one.
 * Args: WORK POLLS ROUNDS [BASELINE_CLASSPATH BASELINE_ROUTES]
 */
public final class TlsBench {
    private static final long TICK_NANOS = 1_000_000_000L / 100;

    private TlsBench() {
    }

    record Server(Process process, String base, Map<String, String> env) {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int polls = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        String classpath = System.getProperty("java.class.path");
        String routes = Path.of("routes").toAbsolutePath().toString();
        TestCa ca = new TestCa(work.resolve("ca"));

        Server http = start(work.resolve("http"), classpath, routes, Map.of(), "http");
        Server https = start(work.resolve("https"), classpath, routes, Map.of("LABDROP_HTTP_TLS_CERTIFICATE",
                ca.certificate.toString(), "LABDROP_HTTP_TLS_KEY", ca.key.toString()), "https");
        String tokenHttp = doorbellToken(http, classpath, work);
        String tokenHttps = doorbellToken(https, classpath, work);
        HttpClient plainClient = HttpClient.newBuilder().build();
        HttpClient tlsClient = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
        Map<String, List<Double>> cpu = new HashMap<>();
        Map<String, List<Double>> wall = new HashMap<>();
        doorbell(http, plainClient, tokenHttp, polls, null, null);
        doorbell(https, tlsClient, tokenHttps, polls, null, null);
        for (int r = 0; r < rounds; r++) {
            doorbell(http, plainClient, tokenHttp, polls, cpu.computeIfAbsent("http", k -> new ArrayList<>()),
                    wall.computeIfAbsent("http", k -> new ArrayList<>()));
            doorbell(https, tlsClient, tokenHttps, polls, cpu.computeIfAbsent("https", k -> new ArrayList<>()),
                    wall.computeIfAbsent("https", k -> new ArrayList<>()));
            curl(http, tokenHttp, polls, null, cpu.computeIfAbsent("curl-http", k -> new ArrayList<>()),
                    wall.computeIfAbsent("curl-http", k -> new ArrayList<>()));
            curl(https, tokenHttps, polls, ca.ca, cpu.computeIfAbsent("curl-https", k -> new ArrayList<>()),
                    wall.computeIfAbsent("curl-https", k -> new ArrayList<>()));
        }
        System.out.println("| idle doorbell poll (304), one kept-alive connection | polls × rounds | wall / poll, median |"
                + " server CPU / poll, median | rounds |");
        System.out.println("|---|---|---|---|---|");
        for (String[] row : new String[][] {{"http", "agent's client (JDK HttpClient), HTTP"},
                {"https", "agent's client (JDK HttpClient), HTTPS (TLS 1.3, P-256)"},
                {"curl-http", "native peer: curl, HTTP"}, {"curl-https", "native peer: curl, HTTPS"}}) {
            System.out.printf("| %s | %d × %d | %.3f ms | %.3f ms | %s |%n", row[1], polls, rounds, median(wall.get(row[0])),
                    median(cpu.get(row[0])), fmt(cpu.get(row[0])));
        }
        stop(http);
        stop(https);

        if (args.length > 3) {
            System.out.println();
            System.out.println("| refused login (60 in a row, one address) | build | server CPU / refusal, median |"
                    + " wall / refusal, median | answers | rounds |");
            System.out.println("|---|---|---|---|---|---|");
            Map<String, List<Double>> loginCpu = new HashMap<>();
            Map<String, List<Double>> loginWall = new HashMap<>();
            Map<String, String> answers = new HashMap<>();
            for (int r = 0; r < rounds; r++) {
                for (String[] build : new String[][] {{"baseline", args[3], args[4]}, {"this", classpath, routes}}) {
                    Server s = start(work.resolve("login-" + build[0] + "-" + r), build[1], build[2], Map.of(), "http");
                    for (String account : List.of("admin", "nobody")) {
                        String key = build[0] + "/" + account;
                        answers.put(key, logins(s, account, 60, loginCpu.computeIfAbsent(key, k -> new ArrayList<>()),
                                loginWall.computeIfAbsent(key, k -> new ArrayList<>())));
                    }
                    stop(s);
                }
            }
            for (String build : List.of("baseline", "this")) {
                for (String account : List.of("admin", "nobody")) {
                    String key = build + "/" + account;
                    System.out.printf("| %s | %s | %.2f ms | %.2f ms | %s | %s |%n",
                            account.equals("admin") ? "wrong password for `admin`" : "unknown account", build,
                            median(loginCpu.get(key)), median(loginWall.get(key)), answers.get(key), fmt(loginCpu.get(key)));
                }
            }
        }
    }

    /** N conditional GETs of the generation on one connection; appends server CPU and wall per poll. */
    private static void doorbell(Server s, HttpClient client, String token, int polls, List<Double> cpu, List<Double> wall)
            throws Exception {
        URI uri = URI.create(s.base() + "/api/v1/hosts/bench-01/generation");
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        String etag = first.headers().firstValue("ETag").orElseThrow();
        double idle = idleRate(s.process().pid());
        long before = cpuTicks(s.process().pid());
        long t0 = System.nanoTime();
        for (int i = 0; i < polls; i++) {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 304) {
                throw new IllegalStateException("doorbell answered " + r.statusCode());
            }
        }
        long nanos = System.nanoTime() - t0;
        record(cpu, wall, s, before, idle, nanos, polls);
    }

    /** The same polls by curl on one connection (one process, the URL repeated). */
    private static void curl(Server s, String token, int polls, Path caFile, List<Double> cpu, List<Double> wall)
            throws Exception {
        String url = s.base() + "/api/v1/hosts/bench-01/generation";
        String etag = HttpClient.newBuilder().sslContext(caFile == null ? SSLContext.getDefault() : contextFor(caFile))
                .build().send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.ofString()).headers().firstValue("ETag").orElseThrow();
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-H", "Authorization: Bearer " + token, "-H",
                "If-None-Match: " + etag, "-w", "%{http_code}\\n"));
        if (caFile != null) {
            command.addAll(List.of("--cacert", caFile.toString()));
        }
        for (int i = 0; i < polls; i++) {
            command.addAll(List.of("-o", "/dev/null", url));
        }
        double idle = idleRate(s.process().pid());
        long before = cpuTicks(s.process().pid());
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        long nanos = System.nanoTime() - t0;
        if (out.lines().filter("304"::equals).count() != polls) {
            throw new IllegalStateException("curl did not get " + polls + " 304s: " + out.lines().limit(3).toList());
        }
        record(cpu, wall, s, before, idle, nanos, polls);
    }

    /** N refused logins (the login form read, then a wrong password posted); returns the statuses seen. */
    private static String logins(Server s, String account, int n, List<Double> cpu, List<Double> wall) throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        Map<Integer, Integer> statuses = new TreeMap<>();
        double idle = idleRate(s.process().pid());
        long before = cpuTicks(s.process().pid());
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String page = browser.send(HttpRequest.newBuilder(URI.create(s.base() + "/login")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page);
            if (!m.find()) {
                throw new IllegalStateException("no login form");
            }
            String body = "csrf=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8) + "&user=" + account
                    + "&password=wrong-password-" + i;
            int status = browser.send(HttpRequest.newBuilder(URI.create(s.base() + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            statuses.merge(status, 1, Integer::sum);
        }
        long nanos = System.nanoTime() - t0;
        record(cpu, wall, s, before, idle, nanos, n);
        StringBuilder text = new StringBuilder();
        statuses.forEach((status, count) -> text.append(text.length() == 0 ? "" : ", ").append(count).append("× ")
                .append(status));
        return text.toString();
    }

    private static void record(List<Double> cpu, List<Double> wall, Server s, long before, double idle, long nanos, int n)
            throws IOException {
        if (cpu == null) {
            return;
        }
        double ticks = cpuTicks(s.process().pid()) - before - idle * nanos / 1e9;
        cpu.add(ticks * TICK_NANOS / 1e6 / n);
        wall.add(nanos / 1e6 / n);
    }

    private static SSLContext contextFor(Path caFile) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
        trust.init(TlsKeys.trustStore(caFile));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static Server start(Path state, String classpath, String routes, Map<String, String> extra, String scheme)
            throws Exception {
        int port = Ports.free();
        int sshPort = Ports.free();
        Map<String, String> env = new HashMap<>(Map.of("LABDROP_STATE_DIR", state.toString(), "LABDROP_HTTP_HOST",
                "127.0.0.1", "LABDROP_HTTP_PORT", Integer.toString(port), "LABDROP_SSH_PORT", Integer.toString(sshPort),
                "LABDROP_SSH_HOST", "127.0.0.1", "LABDROP_ROUTES_DIR", routes));
        env.putAll(extra);
        Files.createDirectories(state);
        Process p = java(classpath, env, state.resolve("server.log"), "server");
        String base = scheme + "://127.0.0.1:" + port;
        Server server = new Server(p, base, env);
        for (int i = 0; i < 600; i++) {
            if (Files.exists(state.resolve("server.log")) && Files.readString(state.resolve("server.log"))
                    .contains("labdrop server started")) {
                return server;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited: " + Files.readString(state.resolve("server.log")));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server did not start: " + Files.readString(state.resolve("server.log")));
    }

    private static String doorbellToken(Server s, String classpath, Path work) throws Exception {
        run(classpath, s.env(), work, "host", "add", "bench-01", "--active");
        Path token = work.resolve("token-" + s.process().pid());
        run(classpath, s.env(), work, "host", "token", "bench-01", "--file", token.toString());
        return Files.readString(token).strip();
    }

    private static void run(String classpath, Map<String, String> env, Path work, String... args) throws Exception {
        Path log = work.resolve("cli.log");
        Process p = java(classpath, env, log, args);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("labdrop " + String.join(" ", args) + ": " + Files.readString(log));
        }
    }

    private static Process java(String classpath, Map<String, String> env, Path log, String... args) throws IOException {
        return JavaChild.start(classpath, List.of(), env, log, args);
    }

    private static void stop(Server s) throws Exception {
        s.process().destroy();
        s.process().waitFor();
    }

    private static double idleRate(long pid) throws Exception {
        long before = cpuTicks(pid);
        Thread.sleep(3000);
        return (cpuTicks(pid) - before) / 3.0;
    }

    private static long cpuTicks(long pid) throws IOException {
        return AgentBench.cpuTicks(pid);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static String fmt(List<Double> values) {
        return values.stream().map(v -> String.format("%.2f", v)).toList().toString();
    }
}
