package labdrop.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.testing.Ports;
import labdrop.user.Role;
import labdrop.app.Services;
import labdrop.config.ServerConfig;

/**
 * N hosts on one node (issue 19): the server started by the launcher as packaged (H2) on a lab of N
 * hosts, each with its drop folder and a state_file it reported before the restart. Per round: how long from the launch until it answers, and until
 * a state_file written after that is ingested for hosts spread over the whole lab (the last of them
 * is "serving every host"); its RSS and inotify watches a minute after the launch; the host list
 * API's first page. The native peer in the same run, rounds alternating: find(1) walking the same
 * drop, the floor for any start-up scan of it.
 */
public final class ScaleBench {
    private static final String PASSWORD = "bench-password-1";
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final int SAMPLES = 8;

    private ScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int hosts = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int port = Ports.free();
        int sshPort = Ports.free();
        Map<String, String> env = Map.of("LABDROP_STATE_DIR", work.resolve("state").toString(), "LABDROP_HTTP_HOST", "127.0.0.1",
                "LABDROP_HTTP_PORT", Integer.toString(port), "LABDROP_SSH_PORT", Integer.toString(sshPort),
                "LABDROP_SSH_HOST", "127.0.0.1", "LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        String token;
        Path drop;
        try (Services s = Services.open(ServerConfig.load(null, env), Clock.systemUTC())) {
            s.accounts().setAccount("bench", Role.ADMIN, PASSWORD.toCharArray());
            token = s.accounts().newToken("bench", "bench");
            s.lab().store().tx(h -> {
                var batch = h.prepareBatch("""
                        insert into hosts (name, type, state, state_since, created_at)
                        values (:name, 'default', 'AVAILABLE', :now, :now)""");
                for (int i = 0; i < hosts; i++) {
                    batch.bind("name", host(i)).bind("now", OffsetDateTime.now(ZoneOffset.UTC)).add();
                }
                batch.execute();
                return null;
            });
            for (int i = 0; i < hosts; i++) {
                s.lab().drop().createHost(host(i));
                // every SUT of a lab has reported at least once
                writeState(s.lab().drop().root(), host(i), 1);
            }
            drop = s.lab().drop().root();
        }
        List<Double> answerS = new ArrayList<>();
        List<Double> servedS = new ArrayList<>();
        List<Double> scannedS = new ArrayList<>();
        List<Double> rssMib = new ArrayList<>();
        List<Double> watches = new ArrayList<>();
        List<Double> findS = new ArrayList<>();
        long apiBytes = 0;
        long seq = 1;
        HttpClient http = HttpClient.newHttpClient();
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 1) {
                findS.add(find(drop));
            }
            ProcessBuilder launcher = new ProcessBuilder(Path.of("appliance/labdrop").toAbsolutePath().toString(), "server")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("server.log").toFile()));
            launcher.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
            launcher.environment().putAll(env);
            long t0 = System.nanoTime();
            Process server = launcher.start();
            try {
                String base = "http://127.0.0.1:" + port;
                AgentBench.awaitHealthy(base);
                answerS.add((System.nanoTime() - t0) / 1e9);
                seq++;
                for (int k = 0; k < SAMPLES; k++) {
                    writeState(drop, host(sample(k, hosts)), seq);
                }
                for (int k = 0; k < SAMPLES; k++) {
                    awaitSeq(http, base, token, host(sample(k, hosts)), seq);
                }
                servedS.add((System.nanoTime() - t0) / 1e9);
                awaitScanned(work.resolve("server.log"), r + 1);
                scannedS.add((System.nanoTime() - t0) / 1e9);
                apiBytes = get(http, base + "/api/v1/hosts", token).length();
                long until = t0 + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < until) {
                    Thread.sleep(200);
                }
                rssMib.add(AgentBench.rssKib(server.pid()) / 1024.0);
                watches.add((double) inotifyWatches(server.pid()));
            } finally {
                server.destroy();
                if (!server.waitFor(60, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor();
                }
            }
            if (r % 2 == 0) {
                findS.add(find(drop));
            }
        }
        System.out.println("| " + hosts + " hosts, " + rounds + " server starts (launcher, package options, H2) | min | median | max |");
        System.out.println("|---|---|---|---|");
        row("launch → /healthz answers", answerS, "%.1f s");
        row("launch → a state_file written after that ingested, for " + SAMPLES + " hosts spread over the lab", servedS, "%.1f s");
        row("launch → the start-up scan done (every host watched, its state and awaited results read)", scannedS, "%.1f s");
        row("RSS a minute after the launch", rssMib, "%.0f MiB");
        row("inotify watches held", watches, "%.0f");
        row("native peer: find(1) walks the drop (" + hosts + " host folders)", findS, "%.2f s");
        System.out.printf("%nper start in order: served %s, scan done %s (the first start reads every state_file the lab"
                + " wrote while no server had applied it; later starts skip those unchanged)%n", servedS, scannedS);
        System.out.printf("host list API, first page (`GET /api/v1/hosts`): %,d bytes%n", apiBytes);
    }

    /** Waits until the server's log holds its {@code n}-th "drop scanned" line (one per start). */
    private static void awaitScanned(Path log, int n) throws Exception {
        for (int i = 0; i < 12_000; i++) {
            if (Files.readAllLines(log).stream().filter(l -> l.contains("drop scanned:")).count() >= n) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the start-up scan did not end within two minutes");
    }

    private static int sample(int k, int hosts) {
        return (int) ((long) k * (hosts - 1) / (SAMPLES - 1));
    }

    private static void writeState(Path drop, String host, long seq) throws IOException {
        Path dir = drop.resolve(host);
        Path temp = dir.resolve(".state-tmp");
        Files.writeString(temp, "<state xmlns=\"urn:labdrop:state:1\" host=\"" + host + "\" seq=\"" + seq
                + "\"><updated>" + Instant.now() + "</updated><status>Available</status>"
                + "<agentVersion>bench</agentVersion><bootId>b</bootId></state>");
        Files.move(temp, dir.resolve("state_file"), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitSeq(HttpClient http, String base, String token, String host, long seq) throws Exception {
        for (int i = 0; i < 6000; i++) {
            Matcher m = SEQ.matcher(get(http, base + "/api/v1/hosts/" + host, token));
            if (m.find() && Long.parseLong(m.group(1)) >= seq) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException(host + "'s state_file was not ingested within a minute");
    }

    private static String get(HttpClient http, String url, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The inotify watches a process holds: one "inotify wd:" line per watch in its descriptors' fdinfo. */
    static long inotifyWatches(long pid) throws IOException {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
            for (Path fd : fds) {
                try {
                    n += Files.readAllLines(fd).stream().filter(l -> l.startsWith("inotify wd:")).count();
                } catch (IOException closed) {
                    // the descriptor closed while we read
                }
            }
        }
        return n;
    }

    private static double find(Path drop) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("find", drop.toString(), "-maxdepth", "3").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("find failed");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void row(String what, List<Double> values, String format) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        System.out.printf("| %s | " + format + " | " + format + " | " + format + " |%n", what, sorted.get(0),
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    private static String host(int i) {
        return String.format("h-%05d", i);
    }
}
