package labdrop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import labdrop.admin.HostDraft;
import labdrop.app.ServerApp;
import labdrop.app.Services;
import labdrop.host.HostTypes;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.result.CaseOutcome;
import labdrop.result.TestCase;
import labdrop.result.TestHistory;
import labdrop.store.CaseRows;
import labdrop.store.HistoryRows;
import labdrop.store.RequestRows;
import labdrop.store.ResultRows;

/**
 * bench/results-bench.sh runs this: per-case results on the real server (H2), the SUT simulated by
 * writing cases.xml and result.xml into the drop as the agent does (temp name, rename). Measures
 * (1) a result with 10,000 cases, from result.xml's rename until the API shows the request finished
 * with its cases, in rounds alternating with the native peer (xmllint parsing the same cases.xml);
 * (2) the same path for a 1,000-case result when the store holds 0, 10,000 and 100,000 earlier
 * runs of that test on that host type (spread over 100 other hosts of it), next to a full scan of that history (what a comparison that
 * read it all would at least cost) and the comparison's own lookup of the last runs. Prints markdown rows.
 */
public final class ResultsBench {
    private static final int ROUNDS = 7;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        try (ServerApp app = ServerBench.server(work.resolve("state"))) {
            Services s = app.services();
            Path types = work.resolve("state/host-types");
            Files.copy(types.resolve(HostTypes.DEFAULT), types.resolve("board"));
            s.hosts().add(new HostDraft("b-1", "board", "", null, false, true, null), "bench");
            for (int i = 0; i < SEED_HOSTS; i++) {
                s.hosts().add(new HostDraft(seedHost(i), "board", "", null, false, false, null), "bench");
            }
            String token = s.accounts().newToken("admin", "bench");
            String base = "http://127.0.0.1:" + app.httpPort() + "/api/v1";
            Path drop = work.resolve("state/drop/b-1");
            Files.createDirectories(drop);
            write(drop.resolve("state_file"), state(1, "Available", null));

            List<Long> labdrop = new ArrayList<>();
            List<Long> xmllint = new ArrayList<>();
            long seq = 2;
            for (int round = 0; round < ROUNDS; round++) {
                Path casesFile = work.resolve("cases-" + round + ".xml");
                xmllint.add(xmllint(casesFile, "r-0"));
                labdrop.add(run(s, drop, base, token, seq, 10_000, "dbench:-big"));
                seq += 2;
            }
            System.out.println("| what | median | min | max |");
            System.out.println("|---|---|---|---|");
            row("native peer: xmllint --stream parses a 10,000-case cases.xml (process start included)", xmllint);
            row("labdrop: 10,000-case result, result.xml renamed → API shows it finished with its cases", labdrop);
            System.out.printf("| ratio labdrop / xmllint (medians) | %.1f× | | |%n",
                    (double) median(labdrop) / median(xmllint));

            for (int history : new int[] {0, 10_000, 100_000}) {
                seed(s, history);
                List<Long> times = new ArrayList<>();
                List<Long> scans = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    times.add(run(s, drop, base, token, seq, 1_000, "dbench:-hist"));
                    seq += 2;
                    long t0 = System.nanoTime();
                    s.lab().store().read(h -> h.createQuery("select count(*) from test_results where name = 'dbench'"
                            + " and scope = 'type:board' and ended_at is not null").mapTo(Long.class).one());
                    scans.add((System.nanoTime() - t0) / 1000);
                }
                row("1,000-case result, compared, with " + String.format("%,d", history)
                        + " earlier runs of the test on the type: rename → API", times);
                row("reference: one full count over those " + String.format("%,d", history) + " runs", scans);
                String key = TestHistory.argsKey(TestSpec.parse("dbench:-hist"));
                List<Long> lookups = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    long t0 = System.nanoTime();
                    s.lab().store().read(h -> HistoryRows.lastRuns(h, "dbench", key, "type:board", -1, 9));
                    lookups.add((System.nanoTime() - t0) / 1000);
                }
                row("the comparison's lookup of the last nine runs among those " + String.format("%,d", history), lookups);
            }
        }
    }

    private static int seeded;
    /** The seeded history is spread over this many other hosts of the type, as a lab's would be. */
    private static final int SEED_HOSTS = 100;

    private static String seedHost(int i) {
        return String.format("b-seed-%03d", i);
    }

    /** Adds earlier runs of dbench -hist on type board (on other hosts of it) until there are {@code total}, each of 10 cases. */
    private static void seed(Services s, int total) {
        String key = TestHistory.argsKey(TestSpec.parse("dbench:-hist"));
        Instant base = Instant.now().minus(Duration.ofDays(30));
        while (seeded < total) {
            int batch = Math.min(1000, total - seeded);
            int from = seeded;
            s.lab().store().tx(h -> {
                for (int i = 0; i < batch; i++) {
                    long num = RequestRows.insert(h, new RequestSpec(seedHost((from + i) % SEED_HOSTS), "bench", List.of(TestSpec.parse("dbench:-hist")),
                            Priority.NORMAL, false, null, null, null, null), List.of(), RequestState.PASSED, "seeded", base);
                    ResultRows.replace(h, num, List.of(new ResultRows.TestResult(1, "dbench", "fail", 1, base, base,
                            List.of(), 0)));
                    List<TestCase> cases = new ArrayList<>();
                    for (int c = 0; c < 10; c++) {
                        cases.add(new TestCase("s", "case" + c, c == (from + i) % 10 ? CaseOutcome.FAIL : CaseOutcome.PASS,
                                1L, null));
                    }
                    CaseRows.replace(h, num, Map.of(1, cases), List.of());
                    HistoryRows.markRun(h, num, 1, key, "type:board", base.plusSeconds(from + i), null);
                }
                return null;
            });
            seeded += batch;
        }
    }

    /** Files one request, finishes it with {@code cases} cases; micros from result.xml's rename to the API showing it. */
    private static long run(Services s, Path drop, String base, String token, long seq, int cases, String test)
            throws Exception {
        Request r = s.desk().file(new RequestSpec("b-1", "bench", List.of(TestSpec.parse(test)), Priority.NORMAL, false,
                null, null, null, null));
        while (!Files.exists(drop.resolve("current/" + r.id() + ".xml"))) {
            Thread.sleep(1);
        }
        write(drop.resolve("state_file"), state(seq, "Running", r.id()));
        Path results = Files.createDirectories(drop.resolve("results/" + r.id()));
        write(results.resolve("cases.xml"), casesXml(r.id(), cases));
        Path tmp = results.resolve(".result.xml.tmp");
        Files.writeString(tmp, resultXml(r.id(), "fail", 1));
        long t0 = System.nanoTime();
        Files.move(tmp, results.resolve("result.xml"), StandardCopyOption.ATOMIC_MOVE);
        HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/requests/" + r.id()))
                .header("Authorization", "Bearer " + token).build();
        while (true) {
            JsonNode detail = JSON.readTree(HTTP.send(get, HttpResponse.BodyHandlers.ofString()).body());
            if (detail.get("state").asText().equals("Failed") && detail.get("results").size() == 1
                    && detail.get("results").get(0).get("cases").get("pass").asInt() > 0) {
                break;
            }
            Thread.sleep(1);
        }
        long micros = (System.nanoTime() - t0) / 1000;
        write(drop.resolve("state_file"), state(seq + 1, "Available", null));
        while (s.hosts().show("b-1").currentRequest() != null) {
            Thread.sleep(1);
        }
        return micros;
    }

    private static long xmllint(Path file, String request) throws Exception {
        Files.writeString(file, casesXml(request, 10_000));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("xmllint", "--noout", "--stream", file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("xmllint failed");
        }
        return (System.nanoTime() - t0) / 1000;
    }

    static String casesXml(String request, int n) {
        StringBuilder xml = new StringBuilder("<cases xmlns=\"urn:labdrop:cases:1\" request=\"" + request
                + "\" host=\"b-1\">\n<test index=\"1\" name=\"dbench\">\n");
        for (int i = 0; i < n; i++) {
            boolean fail = i % 50 == 7;
            xml.append("<case suite=\"s\" name=\"case").append(i).append("\" outcome=\"").append(fail ? "fail" : "pass")
                    .append("\" ms=\"").append(i % 97).append("\">").append(fail ? "expected 1 but got 2 at step " + i : "")
                    .append("</case>\n");
        }
        return xml.append("</test>\n</cases>\n").toString();
    }

    /** A result.xml of b-1 for {@code request}: one dbench test with {@code outcome} and {@code exitCode}. */
    static String resultXml(String request, String outcome, int exitCode) {
        Instant now = Instant.now();
        return "<result xmlns=\"urn:labdrop:result:1\" request=\"" + request + "\" host=\"b-1\">\n<started>" + now
                + "</started>\n<finished>" + now + "</finished>\n<test index=\"1\" name=\"dbench\" outcome=\"" + outcome
                + "\" exitCode=\"" + exitCode + "\"/>\n</result>\n";
    }

    static String state(long seq, String status, String request) {
        return "<state xmlns=\"urn:labdrop:state:1\" host=\"b-1\" seq=\"" + seq + "\">\n<status>" + status + "</status>\n"
                + (request == null ? "" : "<request>" + request + "</request>\n") + "<updated>" + Instant.now()
                + "</updated>\n<agentVersion>0.1.0</agentVersion>\n<bootId>boot-1</bootId>\n</state>\n";
    }

    static void write(Path target, String content) throws Exception {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static long median(List<Long> values) {
        return ServerBench.percentile(values, 50);
    }

    private static void row(String what, List<Long> micros) {
        System.out.printf("| %s | %s | %s | %s |%n", what, ServerBench.ms(median(micros)),
                ServerBench.ms(micros.stream().min(Long::compare).orElseThrow()),
                ServerBench.ms(micros.stream().max(Long::compare).orElseThrow()));
    }

    private ResultsBench() {
    }
}
