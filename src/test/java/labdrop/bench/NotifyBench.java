package labdrop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import labdrop.admin.HostDraft;
import labdrop.app.ServerApp;
import labdrop.app.Services;
import labdrop.event.EventKind;
import labdrop.event.Webhook;
import labdrop.notify.Receiver;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.store.EventRows;

/**
 * bench/notify-bench.sh runs this, on the real server (H2) with the default notify.* settings.
 * (1) Delivery rate: a burst of host events (50 hosts) written as the store writes them, until a
 * loopback receiver (the JDK's HTTP server) has every signed POST, in rounds alternating with the
 * native peer: one curl process POSTing the same bodies with the same headers, one after another
 * on one kept-alive connection, to the same receiver. (2) What a dead receiver costs everyone
 * else: rounds alternating between a lab with one live webhook and one with a live webhook and a
 * dead one (it accepts connections and never answers, so each try waits notify.timeout): filing →
 * request XML in the drop, result.xml renamed → the API shows the request Passed, and result.xml
 * renamed → the live receiver has the request's request.finished. Prints markdown rows.
 */
public final class NotifyBench {
    private static final int BURST = 1_000;
    private static final int HOSTS = 50;
    private static final int ROUNDS = 5;
    private static final int LATENCY_ROUNDS = 10;
    private static final String SECRET = "a bench webhook secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        try (ServerApp app = ServerBench.server(work.resolve("state")); Receiver receiver = new Receiver().start();
             DeadReceiver dead = new DeadReceiver()) {
            Services s = app.services();
            for (int i = 0; i < HOSTS; i++) {
                s.hosts().add(new HostDraft(host(i), "default", "", null, false, true, null), "bench");
            }
            rate(s, work, receiver);
            s.hosts().add(new HostDraft("b-1", "default", "", null, false, true, null), "bench");
            latency(app, s, receiver, dead);
        }
    }

    private static void rate(Services s, Path work, Receiver receiver) throws Exception {
        Webhook hook = s.notifications().add(receiver.url(), SECRET, EnumSet.allOf(EventKind.class), "admin");
        List<Long> labdrop = new ArrayList<>();
        List<Long> curl = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            receiver.got.clear();
            long t0 = System.nanoTime();
            s.lab().store().tx(h -> {
                Instant now = Instant.now();
                for (int i = 0; i < BURST; i++) {
                    EventRows.add(h, EventKind.HOST_MAINT, host(i % HOSTS), null, null, "bench event " + i, now);
                }
                return null;
            });
            while (receiver.got.size() < BURST) {
                Thread.sleep(1);
            }
            labdrop.add((System.nanoTime() - t0) / 1000);
            List<Receiver.Got> sent = List.copyOf(receiver.got);
            receiver.got.clear();
            curl.add(curl(work, receiver.url(), sent));
            if (receiver.got.size() != BURST) {
                throw new IllegalStateException("curl delivered " + receiver.got.size() + " of " + BURST);
            }
        }
        s.notifications().remove(hook.id());
        System.out.println("| what | median | min | max |");
        System.out.println("|---|---|---|---|");
        row("native peer: one curl POSTs " + String.format("%,d", BURST) + " signed bodies on one kept-alive connection", curl);
        row("labdrop: " + String.format("%,d", BURST) + " host events written → all delivered to one webhook (tick 1 s included)",
                labdrop);
        System.out.printf("| labdrop deliveries per second (median) | %,.0f | | |%n", BURST * 1e6 / median(labdrop));
        System.out.printf("| curl POSTs per second (median) | %,.0f | | |%n", BURST * 1e6 / median(curl));
        System.out.printf("| ratio labdrop / curl (medians) | %.1f× | | |%n", (double) median(labdrop) / median(curl));
    }

    /** One curl process POSTing every body with labdrop's headers, in order, on one connection; micros. */
    private static long curl(Path work, String url, List<Receiver.Got> sent) throws Exception {
        StringBuilder config = new StringBuilder();
        for (int i = 0; i < sent.size(); i++) {
            Receiver.Got g = sent.get(i);
            Path body = work.resolve("body-" + i + ".json");
            Files.write(body, g.body());
            if (i > 0) {
                config.append("next\n");
            }
            config.append("url = \"").append(url).append("\"\n")
                    .append("data-binary = \"@").append(body).append("\"\n")
                    .append("header = \"Content-Type: application/json\"\n")
                    .append("header = \"X-Labdrop-Event: ").append(g.event()).append("\"\n")
                    .append("header = \"X-Labdrop-Delivery: ").append(g.delivery()).append("\"\n")
                    .append("header = \"X-Labdrop-Signature-256: ").append(g.signature()).append("\"\n")
                    .append("output = \"/dev/null\"\n");
        }
        Path file = work.resolve("curl.conf");
        Files.writeString(file, config);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("curl", "-s", "-K", file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("curl failed");
        }
        return (System.nanoTime() - t0) / 1000;
    }

    private static void latency(ServerApp app, Services s, Receiver receiver, DeadReceiver dead) throws Exception {
        String token = s.accounts().newToken("admin", "bench");
        String base = "http://127.0.0.1:" + app.httpPort() + "/api/v1";
        Path drop = s.lab().drop().hostDir("b-1");
        Files.createDirectories(drop);
        ResultsBench.write(drop.resolve("state_file"), state(1, "Available", null));
        Webhook live = s.notifications().add(receiver.url(), SECRET, EnumSet.of(EventKind.REQUEST_FINISHED), "admin");
        List<List<Long>> quiet = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<Long>> deadToo = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        long seq = 2;
        for (int round = 0; round < LATENCY_ROUNDS * 2; round++) {
            boolean withDead = round % 2 == 1;
            Webhook stuck = withDead
                    ? s.notifications().add(dead.url(), SECRET, EnumSet.allOf(EventKind.class), "admin") : null;
            long[] times = run(s, drop, base, token, seq, receiver);
            seq += 2;
            List<List<Long>> into = withDead ? deadToo : quiet;
            for (int i = 0; i < 3; i++) {
                into.get(i).add(times[i]);
            }
            if (stuck != null) {
                s.notifications().remove(stuck.id());
            }
        }
        s.notifications().remove(live.id());
        String[] what = {"filing → request XML in the drop", "result.xml renamed → API shows Passed",
                "result.xml renamed → live receiver has request.finished (tick 1 s)"};
        for (int i = 0; i < 3; i++) {
            row(what[i] + ", one live webhook", quiet.get(i));
            row(what[i] + ", and a dead one waiting out its timeout", deadToo.get(i));
            System.out.printf("| ratio dead / none (medians) | %.2f× | | |%n",
                    (double) median(deadToo.get(i)) / median(quiet.get(i)));
        }
        System.out.println("| connections the dead receiver was left holding | " + dead.held.size() + " | | |");
    }

    /** Files a request on b-1 and finishes it as an agent would; micros: placement, ingest, event at the receiver. */
    private static long[] run(Services s, Path drop, String base, String token, long seq, Receiver receiver)
            throws Exception {
        receiver.got.clear();
        long t0 = System.nanoTime();
        Request r = s.desk().file(new RequestSpec("b-1", "bench", List.of(TestSpec.parse("dbench")), Priority.NORMAL, false,
                null, null, null, null));
        while (!Files.exists(drop.resolve("current/" + r.id() + ".xml"))) {
            Thread.sleep(1);
        }
        long placed = (System.nanoTime() - t0) / 1000;
        ResultsBench.write(drop.resolve("state_file"), state(seq, "Running", r.id()));
        Path results = Files.createDirectories(drop.resolve("results/" + r.id()));
        Path tmp = results.resolve(".result.xml.tmp");
        Files.writeString(tmp, ResultsBench.resultXml(r.id(), "pass", 0));
        long t1 = System.nanoTime();
        Files.move(tmp, results.resolve("result.xml"), StandardCopyOption.ATOMIC_MOVE);
        HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/requests/" + r.id()))
                .header("Authorization", "Bearer " + token).build();
        while (true) {
            JsonNode detail = JSON.readTree(HTTP.send(get, HttpResponse.BodyHandlers.ofString()).body());
            if (detail.get("state").asText().equals("Passed")) {
                break;
            }
            Thread.sleep(1);
        }
        long ingested = (System.nanoTime() - t1) / 1000;
        String marker = "\"id\":\"" + r.id() + "\"";
        while (receiver.got.stream().noneMatch(g -> "request.finished".equals(g.event())
                && new String(g.body(), StandardCharsets.UTF_8).contains(marker))) {
            Thread.sleep(1);
        }
        long told = (System.nanoTime() - t1) / 1000;
        ResultsBench.write(drop.resolve("state_file"), state(seq + 1, "Available", null));
        while (s.hosts().show("b-1").currentRequest() != null) {
            Thread.sleep(1);
        }
        return new long[] {placed, ingested, told};
    }

    private static String state(long seq, String status, String request) {
        return ResultsBench.state(seq, status, request);
    }

    private static String host(int i) {
        return String.format("n-%02d", i);
    }

    private static long median(List<Long> values) {
        return ServerBench.percentile(values, 50);
    }

    private static void row(String what, List<Long> micros) {
        System.out.printf("| %s | %s | %s | %s |%n", what, ServerBench.ms(median(micros)),
                ServerBench.ms(micros.stream().min(Long::compare).orElseThrow()),
                ServerBench.ms(micros.stream().max(Long::compare).orElseThrow()));
    }

    /** A receiver that accepts every connection and never answers: each try waits out notify.timeout. */
    private static final class DeadReceiver implements AutoCloseable {
        final ServerSocket socket;
        final List<Socket> held = new CopyOnWriteArrayList<>();

        DeadReceiver() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        held.add(socket.accept());
                    }
                } catch (IOException closed) {
                    // the bench is over
                }
            }, "dead-receiver");
            accept.setDaemon(true);
            accept.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/hook";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private NotifyBench() {
    }
}
