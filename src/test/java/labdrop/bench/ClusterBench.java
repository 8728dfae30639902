package labdrop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.agent.SmokePackage;
import labdrop.cluster.TestHaproxy;
import labdrop.testing.Ports;
import labdrop.user.Tokens;

/**
 * Issue 16's measurements: real {@code labdrop server} nodes (cluster.enabled), started as the
 * package starts them (the launcher, the packaged jar and the launcher's JVM options), on one
 * PostgreSQL started by bench/cluster-bench.sh with pg_stat_statements, and Debian's HAProxy
 * (conf/haproxy.cfg) in front.
 * <ol>
 * <li><b>Filing</b> with 1, 2 and 3 nodes (a fresh database each, rounds alternating): 200 filings
 * by 8 clients spread over the nodes' APIs, each to its own idle host, so each is placed at once;
 * filings acknowledged per second, placement latency (placed_at - filed_at), and the statements
 * PostgreSQL ran per filing (pg_stat_statements, the nodes' idle rate subtracted). The native
 * peer: pgbench running the same queue's bare SQL (insert, then a claim with FOR UPDATE SKIP
 * LOCKED) with 8 clients.</li>
 * <li><b>Failover</b>, 10 rounds: three nodes behind HAProxy, a SUT polling its doorbell through
 * it every 20 ms (a new connection each); a node is SIGKILLed; the time until the SUT's polls
 * succeed again, until a request filed through HAProxy at the kill is placed, until the
 * lab-wide watchdog (every second) runs again, and until the others show the node dead. The
 * native peer: three nginx behind the same HAProxy configuration, one SIGKILLed.</li>
 * <li><b>Doorbell CPU</b> through HAProxy, 1 node against 3: idle polls (304, a new connection
 * each, as agents polling once a minute make them) at a fixed rate; the serving nodes' CPU from
 * /proc, their idle CPU subtracted, per poll; nginx answering the same conditional GET with 304
 * through HAProxy as the native peer.</li>
 * </ol>
 * Args: WORK PG_ADMIN_URL ROUNDS FAILOVER_ROUNDS [PARTS: filing,failover,doorbell]; the system property
 * {@code labdrop.bench.node-jvm} adds options after the launcher's to the nodes' JVMs (a profiler).
 */
public final class ClusterBench {
    private static final long TICK_NANOS = 1_000_000_000L / 100;
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FILERS = 8;
    private static final int FILINGS = 200;
    private static final int WARM_UP = 50;

    private final Path work;
    private final String adminUrl;
    private final String classpath = System.getProperty("java.class.path");
    private final HttpClient http = HttpClient.newHttpClient();
    private int databases;

    private ClusterBench(Path work, String adminUrl) {
        this.work = work;
        this.adminUrl = adminUrl;
    }

    /** One database and its nodes. */
    private final class Lab implements AutoCloseable {
        final String name;
        final String url;
        final Path dir;
        final Map<String, Process> nodes = new LinkedHashMap<>();
        final Map<String, int[]> ports = new LinkedHashMap<>();
        final Map<String, Integer> logStarts = new HashMap<>();
        final Map<String, String> extra;
        String token;

        Lab(Map<String, String> extra) throws Exception {
            this.extra = extra;
            name = "labdrop_bench_" + (++databases);
            try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + name);
                st.execute("create database " + name);
            }
            url = adminUrl.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
            dir = work.resolve(name);
            Files.createDirectories(dir.resolve("packages/builtin"));
            Files.createDirectories(dir.resolve("drop"));
            SmokePackage.publish(dir.resolve("packages/builtin"), "smoke", 0);
        }

        Map<String, String> env(String node) {
            int[] p = ports.get(node);
            Map<String, String> env = new HashMap<>();
            env.put("LABDROP_STATE_DIR", dir.resolve(node).toString());
            env.put("LABDROP_DROP_DIR", dir.resolve("drop").toString());
            env.put("LABDROP_UPLOAD_LOCATION", dir.resolve("packages/builtin").toString());
            env.put("LABDROP_DB_URL", url);
            env.put("LABDROP_HTTP_HOST", "127.0.0.1");
            env.put("LABDROP_HTTP_PORT", Integer.toString(p[0]));
            env.put("LABDROP_SSH_HOST", "127.0.0.1");
            env.put("LABDROP_SSH_PORT", Integer.toString(p[1]));
            env.put("LABDROP_CLUSTER_ENABLED", "true");
            env.put("LABDROP_CLUSTER_NODE_ID", node);
            env.putAll(extra);
            return env;
        }

        void start(String node) throws Exception {
            ports.computeIfAbsent(node, n -> new int[] {Ports.free(), Ports.free()});
            Path log = dir.resolve(node + ".log");
            logStarts.put(node, Files.exists(log) ? Files.readString(log).length() : 0);
            // as the package runs a node: the launcher, the packaged jar and its JVM options (heap, collector)
            Map<String, String> env = new HashMap<>(env(node));
            env.put("LABDROP_JAVA_OPTS", System.getProperty("labdrop.bench.node-jvm", "").replace("NODE", node).strip());
            nodes.put(node, JavaChild.launcher(env, log, "server"));
        }

        void awaitRunning(String node) throws Exception {
            Path log = dir.resolve(node + ".log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < deadline) {
                String text = Files.exists(log) ? Files.readString(log) : "";
                int from = Math.min(text.length(), logStarts.get(node));
                if (text.indexOf("labdrop server running", from) >= 0) {
                    return;
                }
                if (!nodes.get(node).isAlive()) {
                    throw new IllegalStateException(node + " stopped: " + text.substring(from));
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException(node + " did not start in 180 s");
        }

        String base(String node) {
            return "http://127.0.0.1:" + ports.get(node)[0];
        }

        /** Starts {@code count} nodes, waits for them, takes the admin's token. */
        void startNodes(int count) throws Exception {
            for (int i = 0; i < count; i++) {
                start("node-" + (char) ('a' + i));
            }
            for (String node : List.copyOf(nodes.keySet())) {
                awaitRunning(node);
            }
            Process cli = JavaChild.start(classpath, List.of(), env("node-a"), dir.resolve("cli.log"), "user", "token", "admin");
            cli.waitFor(60, TimeUnit.SECONDS);
            List<String> lines = Files.readAllLines(dir.resolve("cli.log"));
            token = lines.get(lines.size() - 1).strip();
        }

        void addHosts(String prefix, int count) throws Exception {
            for (int i = 1; i <= count; i++) {
                HttpResponse<String> added = post(base("node-a") + "/api/v1/hosts",
                        "{\"name\":\"" + prefix + i + "\",\"active\":true}");
                if (added.statusCode() != 201) {
                    throw new IllegalStateException("host " + prefix + i + ": " + added.statusCode() + " " + added.body());
                }
            }
        }

        HttpResponse<String> post(String url, String body) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }

        long cpuTicks(String node) throws IOException {
            return AgentBench.cpuTicks(nodes.get(node).pid());
        }

        @Override
        public void close() throws Exception {
            for (Process p : nodes.values()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement()) {
                st.execute("drop database if exists " + name + " with (force)");
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        ClusterBench bench = new ClusterBench(work, args[1]);
        int rounds = Integer.parseInt(args[2]);
        int failovers = Integer.parseInt(args[3]);
        try (Connection c = DriverManager.getConnection(args[1]); Statement st = c.createStatement()) {
            st.execute("create extension if not exists pg_stat_statements");
        }
        List<String> parts = List.of(args.length > 4 ? args[4].split(",") : new String[] {"filing", "failover", "doorbell"});
        if (parts.contains("filing")) {
            bench.filing(rounds);
        }
        if (parts.contains("failover")) {
            bench.failover(failovers);
        }
        if (parts.contains("doorbell")) {
            bench.doorbell(rounds);
        }
    }

    // ---- 1. filing throughput, placement latency, statements per filing -------------------------------------

    private record Filing(double perSecond, double latencyMedianMs, double latencyP95Ms, double statements) {
    }

    private void filing(int rounds) throws Exception {
        Map<Integer, List<Filing>> results = new LinkedHashMap<>();
        List<Double> peer = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<Integer> order = new ArrayList<>(List.of(1, 2, 3));
            Collections.rotate(order, r);
            for (int n : order) {
                results.computeIfAbsent(n, k -> new ArrayList<>()).add(filingRound(n));
                System.err.printf("filing round %d, %d nodes: %s%n", r, n, results.get(n).get(results.get(n).size() - 1));
            }
            peer.add(pgbench());
            System.err.printf("filing round %d, pgbench: %.0f/s%n", r, peer.get(peer.size() - 1));
        }
        System.out.println();
        System.out.println("### Filing with 1, 2 and 3 nodes on one PostgreSQL");
        System.out.println();
        System.out.printf("%d filings by %d clients, each to its own idle host (placed at once), medians of %d rounds:%n%n",
                FILINGS, FILERS, rounds);
        System.out.println("| nodes | filings acknowledged / s | against 1 node | placement latency, median | p95 | statements per filing |");
        System.out.println("|---|---|---|---|---|---|");
        double one = median(results.get(1).stream().map(Filing::perSecond).toList());
        for (Map.Entry<Integer, List<Filing>> e : results.entrySet()) {
            List<Filing> f = e.getValue();
            double rate = median(f.stream().map(Filing::perSecond).toList());
            System.out.printf("| %d | %.0f | %.2f× | %.0f ms | %.0f ms | %.1f |%n", e.getKey(), rate, rate / one,
                    median(f.stream().map(Filing::latencyMedianMs).toList()), median(f.stream().map(Filing::latencyP95Ms).toList()),
                    median(f.stream().map(Filing::statements).toList()));
        }
        double p = median(peer);
        System.out.printf("| pgbench: the queue's bare SQL (insert; claim with FOR UPDATE SKIP LOCKED), %d clients | %.0f | | | | 6 |%n",
                FILERS, p);
        System.out.printf("%nlabdrop with 1 node files at %.3f× of PostgreSQL's bare queue (3 nodes: %.3f×).%n", one / p,
                median(results.get(3).stream().map(Filing::perSecond).toList()) / p);
    }

    private Filing filingRound(int nodes) throws Exception {
        try (Lab lab = new Lab(Map.of("LABDROP_PLACER_INTERVAL", "1s"))) {
            lab.startNodes(nodes);
            lab.addHosts("h-", WARM_UP + FILINGS);
            List<String> names = List.copyOf(lab.nodes.keySet());
            fileAll(lab, names, 1, WARM_UP);
            awaitPlaced(lab, WARM_UP);
            double idlePerSecond = idleStatements(lab);
            resetStatements();
            long t0 = System.nanoTime();
            fileAll(lab, names, WARM_UP + 1, FILINGS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            awaitPlaced(lab, WARM_UP + FILINGS);
            double windowSeconds = (System.nanoTime() - t0) / 1e9;
            double statements = (statements(lab) - idlePerSecond * windowSeconds) / FILINGS;
            if (nodes == 1) {
                topStatements(lab);
            }
            List<Double> latencies = placementLatencies(lab, WARM_UP + 1);
            Collections.sort(latencies);
            return new Filing(FILINGS / seconds, median(latencies), latencies.get((int) (latencies.size() * 0.95)), statements);
        }
    }

    /** Files to hosts h-FROM .. h-(FROM+COUNT-1), FILERS clients, client i to node i mod nodes. */
    private void fileAll(Lab lab, List<String> nodes, int from, int count) throws Exception {
        AtomicInteger next = new AtomicInteger(from);
        ExecutorService filers = Executors.newFixedThreadPool(FILERS);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < FILERS; t++) {
            String node = nodes.get(t % nodes.size());
            done.add(filers.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < from + count) {
                    HttpResponse<String> filed = lab.post(lab.base(node) + "/api/v1/requests",
                            "{\"host\":\"h-" + i + "\",\"tests\":[\"smoke\"]}");
                    if (filed.statusCode() != 201) {
                        throw new IllegalStateException("filing to h-" + i + ": " + filed.statusCode() + " " + filed.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        filers.shutdown();
    }

    private void awaitPlaced(Lab lab, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (count(lab.url, "select count(*) from requests where placed_at is not null") >= count) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("not every request was placed in 120 s");
    }

    private List<Double> placementLatencies(Lab lab, int fromNum) throws Exception {
        List<Double> ms = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(lab.url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select filed_at, placed_at from requests where num >= " + fromNum)) {
            while (rs.next()) {
                ms.add(Duration.between(rs.getObject(1, OffsetDateTime.class), rs.getObject(2, OffsetDateTime.class)).toNanos() / 1e6);
            }
        }
        return ms;
    }

    /** Statements per second the lab's idle nodes run (heartbeats, timers, the placer's drain, the doorbell feed). */
    private double idleStatements(Lab lab) throws Exception {
        resetStatements();
        Thread.sleep(5000);
        return statements(lab) / 5.0;
    }

    private void resetStatements() throws Exception {
        try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement()) {
            st.execute("select pg_stat_statements_reset()");
        }
    }

    private long statements(Lab lab) throws Exception {
        return count(adminUrl, "select coalesce(sum(calls), 0) from pg_stat_statements where dbid = "
                + "(select oid from pg_database where datname = '" + lab.name + "')");
    }

    /** The statements the window ran most often, to the log (where a filing's round trips go). */
    private void topStatements(Lab lab) throws Exception {
        try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 150) from pg_stat_statements"
                     + " where dbid = (select oid from pg_database where datname = '" + lab.name + "') order by calls desc limit 25")) {
            while (rs.next()) {
                System.err.printf("  %6d  %s%n", rs.getLong(1), rs.getString(2));
            }
        }
    }

    /** pgbench's filings per second: each transaction of its script one filing's insert and one claim. */
    private double pgbench() throws Exception {
        String db = "labdrop_bench_pgbench";
        try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + db);
            st.execute("create database " + db);
        }
        try (Connection c = DriverManager.getConnection(adminUrl.replaceFirst("/postgres(\\?|$)", "/" + db + "$1"));
             Statement st = c.createStatement()) {
            st.execute("create table queue (id bigserial primary key, host int not null, filed_at timestamptz not null,"
                    + " placed_at timestamptz)");
            st.execute("create index queue_unplaced on queue (id) where placed_at is null");
        }
        Path script = work.resolve("filing.sql");
        Files.writeString(script, String.join("\n",
                "\\set h random(1, 100000)",
                "BEGIN;",
                "INSERT INTO queue (host, filed_at) VALUES (:h, now());",
                "COMMIT;",
                "BEGIN;",
                "WITH c AS (SELECT id FROM queue WHERE placed_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                        + " UPDATE queue SET placed_at = now() FROM c WHERE queue.id = c.id;",
                "COMMIT;", ""));
        URI pg = URI.create(adminUrl.substring("jdbc:".length()));
        Process p = new ProcessBuilder("pgbench", "-n", "-c", Integer.toString(FILERS), "-j", "2", "-T", "10", "-f",
                script.toString(), "-h", pg.getHost(), "-p", Integer.toString(pg.getPort()), "-U", "postgres", db)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Matcher m = TPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("pgbench: " + out);
        }
        try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement()) {
            st.execute("drop database " + db);
        }
        return Double.parseDouble(m.group(1));
    }

    // ---- 2. failover through HAProxy ---------------------------------------------------------------------

    private record Outage(double servedMs, double slowestMs, double placedMs, double timerMs, double deadMs) {
    }

    private void failover(int rounds) throws Exception {
        List<Outage> labdrop = new ArrayList<>();
        List<double[]> nginx = new ArrayList<>();
        try (Lab lab = new Lab(Map.of("LABDROP_WATCHDOG_CRON", "0/1 * * * * ?", "LABDROP_CLUSTER_HEARTBEAT", "1s",
                "LABDROP_CLUSTER_DEAD_AFTER", "5s"))) {
            lab.startNodes(3);
            lab.addHosts("f-", rounds);
            lab.addHosts("sut-", 1);
            String doorbellToken = doorbellTokens(lab);
            int web = Ports.free();
            Process haproxy = haproxy(lab.dir, web, lab.ports);
            NginxTrio trio = new NginxTrio(work.resolve("nginx-failover"));
            int nginxWeb = Ports.free();
            Process nginxProxy = haproxy(trio.dir, nginxWeb, trio.ports());
            try {
                Thread.sleep(3000);
                String etag = etag(web, "sut-1", doorbellToken);
                for (int r = 0; r < rounds; r++) {
                    String victim = "node-" + (char) ('a' + r % 3);
                    labdrop.add(labdropOutage(lab, web, doorbellToken, etag, victim, "f-" + (r + 1)));
                    System.err.printf("failover round %d (%s): %s%n", r, victim, labdrop.get(labdrop.size() - 1));
                    nginx.add(trio.outage(nginxWeb, r % 3));
                    System.err.printf("failover round %d, nginx: %.0f ms, slowest poll %.0f ms%n", r,
                            nginx.get(nginx.size() - 1)[0], nginx.get(nginx.size() - 1)[1]);
                }
            } finally {
                haproxy.destroyForcibly();
                nginxProxy.destroyForcibly();
                trio.close();
            }
        }
        System.out.println();
        System.out.println("### Failover through HAProxy");
        System.out.println();
        System.out.printf("%d rounds, each SIGKILLing one of three nodes in turn (restarted between rounds); a SUT polls its"
                + " doorbell through HAProxy every 20 ms, a new connection each:%n%n", rounds);
        System.out.println("| from the SIGKILL until | median | worst |");
        System.out.println("|---|---|---|");
        row("the SUT's polls succeed again (labdrop)", labdrop.stream().map(Outage::servedMs).toList());
        row("the same, three nginx behind the same HAProxy configuration (native peer)", nginx.stream().map(n -> n[0]).toList());
        row("the slowest SUT poll from the kill on (labdrop; before the kill about 2 ms)", labdrop.stream().map(Outage::slowestMs).toList());
        row("the slowest poll from the kill on (nginx)", nginx.stream().map(n -> n[1]).toList());
        row("a request filed through HAProxy at the kill is placed", labdrop.stream().map(Outage::placedMs).toList());
        row("the lab-wide watchdog (every second) runs again", labdrop.stream().map(Outage::timerMs).toList());
        row("the other nodes show the node dead (cluster.dead-after = 5s)", labdrop.stream().map(Outage::deadMs).toList());
    }

    private Outage labdropOutage(Lab lab, int web, String token, String etag, String victim, String host) throws Exception {
        Poller poller = new Poller(web, "/api/v1/hosts/sut-1/generation", token, etag);
        Thread.sleep(500);
        Instant killed = Instant.now();
        long t0 = System.nanoTime();
        lab.nodes.get(victim).destroyForcibly();
        // filed through the balancer at the kill; retried while HAProxy still sends it to the dead node
        HttpResponse<String> filed;
        do {
            try {
                filed = lab.post("http://127.0.0.1:" + web + "/api/v1/requests", "{\"host\":\"" + host + "\",\"tests\":[\"smoke\"]}");
            } catch (IOException e) {
                filed = null;
            }
        } while (filed == null || filed.statusCode() != 201);
        String id = JSON.readTree(filed.body()).get("id").asText();
        long num = Long.parseLong(id.substring(2));
        double placed = Double.NaN;
        double timer = Double.NaN;
        double dead = Double.NaN;
        String survivor = lab.nodes.keySet().stream().filter(n -> !n.equals(victim)).findFirst().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && (Double.isNaN(placed) || Double.isNaN(timer) || Double.isNaN(dead))) {
            double now = (System.nanoTime() - t0) / 1e6;
            if (Double.isNaN(placed) && count(lab.url, "select count(*) from requests where num = " + num
                    + " and placed_at is not null") > 0) {
                placed = now;
            }
            if (Double.isNaN(timer) && count(lab.url, "select count(*) from timer_runs where timer = 'watchdog' and ran_at > '"
                    + killed + "'") > 0) {
                timer = now;
            }
            if (Double.isNaN(dead) && "dead".equals(nodeState(lab, survivor, victim))) {
                dead = now;
            }
            Thread.sleep(20);
        }
        Thread.sleep(Math.max(0, 3000 - (System.nanoTime() - t0) / 1_000_000));
        double served = poller.stop(t0);
        double slowest = poller.slowest(t0);
        lab.start(victim);
        lab.awaitRunning(victim);
        Thread.sleep(3000); // HAProxy's "rise 2" at 1 s checks
        return new Outage(served, slowest, placed, timer, dead);
    }

    private String nodeState(Lab lab, String asking, String node) {
        try {
            HttpResponse<String> nodes = http.send(HttpRequest.newBuilder(URI.create(lab.base(asking) + "/api/v1/cluster/nodes"))
                    .header("Authorization", "Bearer " + lab.token).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode n : JSON.readTree(nodes.body()).get("nodes")) {
                if (n.get("node").asText().equals(node)) {
                    return n.get("state").asText();
                }
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /**
     * A SUT polling through the balancer every 20 ms, a new connection each; {@link #stop} gives the
     * time from {@code t0} until the first success after the last failure (0 when none failed).
     */
    private static final class Poller {
        private final List<long[]> polls = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Thread thread;

        Poller(int port, String path, String token, String etag) {
            thread = new Thread(() -> {
                while (!stopped.get()) {
                    long at = System.nanoTime();
                    int status = conditionalGet(port, path, token, etag);
                    polls.add(new long[] {at, status == 304 ? 1 : 0, System.nanoTime() - at});
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        /** The slowest poll from {@code t0} on, in ms (the SIGKILL's cost to the polls that did not fail). */
        double slowest(long t0) {
            long worst = 0;
            synchronized (polls) {
                for (long[] p : polls) {
                    if (p[0] >= t0) {
                        worst = Math.max(worst, p[2]);
                    }
                }
            }
            return worst / 1e6;
        }

        double stop(long t0) throws InterruptedException {
            stopped.set(true);
            thread.join();
            long lastFailure = -1;
            for (long[] p : polls) {
                if (p[0] >= t0 && p[1] == 0) {
                    lastFailure = p[0];
                }
            }
            if (lastFailure < 0) {
                return 0;
            }
            for (long[] p : polls) {
                if (p[0] > lastFailure && p[1] == 1) {
                    return (p[0] - t0) / 1e6;
                }
            }
            return Double.NaN;
        }
    }

    // ---- 3. doorbell CPU per idle poll through HAProxy, 1 node against 3 ------------------------------------

    private static final int WARM_SECONDS = 180;

    private void doorbell(int rounds) throws Exception {
        int rate = 200;
        int seconds = 20;
        Map<String, List<Double>> perPoll = new LinkedHashMap<>();
        Map<String, List<Double>> idle = new LinkedHashMap<>();
        try (Lab lab = new Lab(Map.of())) {
            lab.startNodes(3);
            lab.addHosts("sut-", 100);
            String token = doorbellTokens(lab);
            int one = Ports.free();
            int three = Ports.free();
            Process haproxyOne = haproxy(lab.dir.resolve("one"), one, Map.of("node-a", lab.ports.get("node-a")));
            Process haproxyThree = haproxy(lab.dir.resolve("three"), three, lab.ports);
            NginxTrio trio = new NginxTrio(work.resolve("nginx-doorbell"));
            int nginxPort = Ports.free();
            Process nginxProxy = haproxy(trio.dir, nginxPort, Map.of("node-a", trio.ports().get("node-a")));
            try {
                Thread.sleep(3000);
                Map<String, String> etags = new HashMap<>();
                for (int i = 1; i <= 100; i++) {
                    etags.put("sut-" + i, etag(three, "sut-" + i, token));
                }
                // warm up (node-a on its own, then all three) for 3 minutes each, until the JIT has settled on the
                // poll's path (a server runs for months; 30 s left the figure about a fifth higher), then measure,
                // rounds alternating
                load(one, etags, token, rate, WARM_SECONDS);
                load(three, etags, token, rate, WARM_SECONDS);
                load(nginxPort, Map.of("static", "\"fixed\""), null, rate, 10);
                for (int r = 0; r < rounds; r++) {
                    for (String what : r % 2 == 0 ? List.of("1 node", "3 nodes", "nginx") : List.of("nginx", "3 nodes", "1 node")) {
                        List<String> serving = what.equals("1 node") ? List.of("node-a") : List.copyOf(lab.nodes.keySet());
                        double idleTicks;
                        long before;
                        long after;
                        int polls;
                        if (what.equals("nginx")) {
                            long pid = trio.pid(0);
                            long i0 = AgentBench.cpuTicks(pid);
                            Thread.sleep(seconds * 1000L);
                            idleTicks = AgentBench.cpuTicks(pid) - i0;
                            before = AgentBench.cpuTicks(pid);
                            polls = load(nginxPort, Map.of("static", "\"fixed\""), null, rate, seconds);
                            after = AgentBench.cpuTicks(pid);
                        } else {
                            long i0 = ticks(lab, serving);
                            Thread.sleep(seconds * 1000L);
                            idleTicks = ticks(lab, serving) - i0;
                            before = ticks(lab, serving);
                            polls = load(what.equals("1 node") ? one : three, etags, token, rate, seconds);
                            after = ticks(lab, serving);
                        }
                        perPoll.computeIfAbsent(what, k -> new ArrayList<>())
                                .add(Math.max(0, after - before - idleTicks) * TICK_NANOS / 1e6 / polls);
                        idle.computeIfAbsent(what, k -> new ArrayList<>()).add(idleTicks * TICK_NANOS / 1e9 / seconds / 2 * 100);
                        System.err.printf("doorbell round %d, %s: %.3f ms/poll, idle %.2f %% of 2 cores%n", r, what,
                                perPoll.get(what).get(perPoll.get(what).size() - 1), idle.get(what).get(idle.get(what).size() - 1));
                    }
                }
            } finally {
                haproxyOne.destroyForcibly();
                haproxyThree.destroyForcibly();
                nginxProxy.destroyForcibly();
                trio.close();
            }
        }
        System.out.println();
        System.out.println("### Doorbell through HAProxy: server CPU per idle poll, 1 node against 3");
        System.out.println();
        System.out.printf("%d polls/s for %d s per round (304, a new connection each, 100 hosts), %d rounds alternating"
                + " after %d s of polls warming node-a alone and %d s the three; the serving processes' CPU from /proc,"
                + " their idle CPU over the %d s before subtracted:%n%n", rate, seconds, rounds, WARM_SECONDS, WARM_SECONDS, seconds);
        System.out.println("| serving | CPU per poll, median | against nginx | 10,000 SUTs polling every minute (167/s), % of 2 cores |"
                + " idle CPU of the serving processes, % of 2 cores |");
        System.out.println("|---|---|---|---|---|");
        double nginxMs = median(perPoll.get("nginx"));
        for (String what : List.of("1 node", "3 nodes", "nginx")) {
            double ms = median(perPoll.get(what));
            System.out.printf("| %s | %.3f ms | %s | %.2f %% | %.2f %% |%n", what.equals("nginx") ? "nginx (native peer), 1 process"
                    : "labdrop, " + what, ms, nginxMs > 0 ? String.format("%.1f×", ms / nginxMs) : "n/a",
                    ms * (10_000 / 60.0) / 1000 / 2 * 100, median(idle.get(what)));
        }
    }

    private static long ticks(Lab lab, List<String> nodes) throws IOException {
        long sum = 0;
        for (String n : nodes) {
            sum += lab.cpuTicks(n);
        }
        return sum;
    }

    /** Conditional GETs at {@code rate} per second for {@code seconds} over 8 threads, a new connection each; the polls answered 304. */
    private static int load(int port, Map<String, String> etags, String token, int rate, int seconds) throws Exception {
        List<String> hosts = List.copyOf(etags.keySet());
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        int total = rate * seconds;
        long start = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(clients.submit(() -> {
                int i;
                while ((i = sent.getAndIncrement()) < total) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    String host = hosts.get(i % hosts.size());
                    String path = token == null ? "/bell" : "/api/v1/hosts/" + host + "/generation";
                    if (conditionalGet(port, path, token, etags.get(host)) == 304) {
                        answered.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        clients.shutdown();
        if (answered.get() < total * 0.99) {
            throw new IllegalStateException("only " + answered.get() + " of " + total + " polls answered 304");
        }
        return answered.get();
    }

    /** One GET with If-None-Match on a new connection (Connection: close); its status, or 0 when it failed. */
    static int conditionalGet(int port, String path, String token, String etag) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "If-None-Match: " + etag + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            int n = in.readNBytes(head, 0, 12);
            in.transferTo(OutputStream.nullOutputStream());
            return n == 12 ? Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII)) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private String etag(int port, String host, String token) throws Exception {
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/hosts/" + host
                + "/generation")).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        return first.headers().firstValue("ETag").orElseThrow(() -> new IllegalStateException(host + ": " + first.body()));
    }

    /**
     * One doorbell token for every host of the lab: its hash written as each host's, stamped as a
     * doorbell change (the bell clock moved, a notice sent) as {@code labdrop host token} does, so
     * the nodes' caches take it.
     */
    private static String doorbellTokens(Lab lab) throws Exception {
        String token = Tokens.newToken();
        try (Connection c = DriverManager.getConnection(lab.url)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement();
                 PreparedStatement set = c.prepareStatement("update hosts set doorbell_token_hash = ?,"
                         + " bell_tick = (select tick from bell_clock where id = 1)")) {
                st.execute("update bell_clock set tick = tick + 1 where id = 1");
                set.setString(1, Tokens.hash(token));
                set.executeUpdate();
                st.execute("select pg_notify('labdrop_bell', '')");
            }
            c.commit();
        }
        Thread.sleep(1000);
        return token;
    }

    // ---- the native peers and the balancer ---------------------------------------------------------------

    /** Three single-process nginx (master_process off) answering GET /bell with 304 to its ETag. */
    private static final class NginxTrio implements AutoCloseable {
        final Path dir;
        final List<Process> processes = new ArrayList<>();
        final List<Integer> ports = new ArrayList<>();

        NginxTrio(Path dir) throws Exception {
            this.dir = dir;
            Files.createDirectories(dir.resolve("www"));
            Files.writeString(dir.resolve("www/bell"), "{\"generation\":1}");
            for (int i = 0; i < 3; i++) {
                ports.add(Ports.free());
                start(i);
            }
        }

        void start(int i) throws Exception {
            Path prefix = dir.resolve("n" + i);
            Files.createDirectories(prefix.resolve("logs"));
            Path conf = prefix.resolve("nginx.conf");
            Files.writeString(conf, String.join("\n", "master_process off;", "daemon off;", "worker_processes 1;",
                    "pid " + prefix.resolve("nginx.pid") + ";", "error_log " + prefix.resolve("logs/error.log") + " warn;",
                    "events { worker_connections 512; }",
                    "http { access_log off; client_body_temp_path " + prefix.resolve("body") + "; proxy_temp_path "
                            + prefix.resolve("proxy") + "; fastcgi_temp_path " + prefix.resolve("fastcgi") + "; uwsgi_temp_path "
                            + prefix.resolve("uwsgi") + "; scgi_temp_path " + prefix.resolve("scgi") + ";",
                    "  server { listen 127.0.0.1:" + ports.get(i) + "; root " + dir.resolve("www") + "; etag off;",
                    "    location = /readyz { return 200; }",
                    "    location = /bell { if ($http_if_none_match = '\"fixed\"') { return 304; } add_header ETag '\"fixed\"'; } } }", ""));
            Process p = new ProcessBuilder("/usr/sbin/nginx", "-p", prefix.toString(), "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
            if (processes.size() > i) {
                processes.set(i, p);
            } else {
                processes.add(p);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (conditionalGet(ports.get(i), "/bell", null, "\"fixed\"") != 304) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("nginx did not start: " + Files.readString(prefix.resolve("logs/stdout.log")));
                }
                Thread.sleep(50);
            }
        }

        long pid(int i) {
            return processes.get(i).pid();
        }

        Map<String, int[]> ports() {
            Map<String, int[]> m = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) {
                m.put("node-" + (char) ('a' + i), new int[] {ports.get(i), Ports.free()});
            }
            return m;
        }

        /** SIGKILLs nginx {@code i} while a poller polls through {@code web}; the time until it is served again, and the slowest poll. */
        double[] outage(int web, int i) throws Exception {
            Poller poller = new Poller(web, "/bell", null, "\"fixed\"");
            Thread.sleep(500);
            long t0 = System.nanoTime();
            processes.get(i).destroyForcibly();
            Thread.sleep(3000);
            double served = poller.stop(t0);
            double slowest = poller.slowest(t0);
            start(i);
            Thread.sleep(3000);
            return new double[] {served, slowest};
        }

        @Override
        public void close() {
            processes.forEach(Process::destroyForcibly);
        }
    }

    /** HAProxy with conf/haproxy.cfg's settings, its HTTP frontend on {@code web} and {@code nodes} as its servers. */
    private static Process haproxy(Path dir, int web, Map<String, int[]> nodes) throws Exception {
        Files.createDirectories(dir);
        String cfg = TestHaproxy.config(web, Ports.free(), nodes);
        Path file = dir.resolve("haproxy-" + web + ".cfg");
        Files.writeString(file, cfg);
        Process p = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy-" + web + ".log").toFile()).start();
        if (p.waitFor(1, TimeUnit.SECONDS)) {
            throw new IllegalStateException("haproxy stopped: " + Files.readString(dir.resolve("haproxy-" + web + ".log")));
        }
        return p;
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void row(String what, List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("| %s | %.0f ms | %.0f ms |%n", what, median(sorted), sorted.get(sorted.size() - 1));
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

}
