package labdrop.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import labdrop.admin.HostDraft;
import labdrop.app.SamplePackages;
import labdrop.app.ServerApp;
import labdrop.app.Services;
import labdrop.config.ServerConfig;
import labdrop.request.Priority;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;

/**
 * bench/server-bench.sh runs this: filing throughput and placement latency, then state-ingest
 * latency (state_file rename → the store's host row changed) with 1,000 and 10,000 host folders.
 * Prints markdown rows; figures go to docs/performance.md.
 */
public final class ServerBench {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int filings = Integer.parseInt(args[1]);
        int samples = Integer.parseInt(args[2]);
        filing(work.resolve("filing"), filings);
        for (int hosts : new int[] {1_000, 10_000}) {
            ingest(work.resolve("ingest-" + hosts), hosts, samples);
        }
    }

    static ServerApp server(Path state) throws Exception {
        ServerConfig config = ServerConfig.load(null, Map.of("LABDROP_STATE_DIR", state.toString(),
                "LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString(),
                "LABDROP_DB_POOL_SIZE", "4", "LABDROP_HTTP_HOST", "127.0.0.1", "LABDROP_HTTP_PORT", "0",
                "LABDROP_SSH_PORT", "0"));
        SamplePackages.publish(config.http().repositories().get("builtin"), "dbench");
        ServerApp app = ServerApp.build(config, Clock.systemUTC());
        app.start();
        return app;
    }

    private static void filing(Path state, int n) throws Exception {
        try (ServerApp app = server(state)) {
            Services s = app.services();
            for (int i = 0; i < n; i++) {
                s.hosts().add(new HostDraft(String.format("f-%05d", i), "default", "", null, false, true, null), "bench");
            }
            List<Long> micros = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                String host = String.format("f-%05d", i);
                long t0 = System.nanoTime();
                var r = s.desk().file(new RequestSpec(host, "bench", List.of(TestSpec.parse("dbench")), Priority.NORMAL,
                        false, null, null, null, null));
                if (!Files.exists(app.services().lab().drop().requestFile(host, r.id()))) {
                    throw new IllegalStateException(r.id() + " not in the drop after filing");
                }
                micros.add((System.nanoTime() - t0) / 1_000);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("| filing (commit + placement XML in the drop), %d requests | %.0f requests/s | %s | %s |%n",
                    n, n / seconds, ms(percentile(micros, 50)), ms(percentile(micros, 99)));
        }
    }

    private static void ingest(Path state, int hosts, int samples) throws Exception {
        try (ServerApp app = server(state)) {
            Services s = app.services();
            s.lab().store().tx(h -> {
                var batch = h.prepareBatch("""
                        insert into hosts (name, type, state, state_since, created_at)
                        values (:name, 'default', 'AVAILABLE', :now, :now)""");
                for (int i = 0; i < hosts; i++) {
                    batch.bind("name", String.format("h-%05d", i))
                            .bind("now", OffsetDateTime.now(ZoneOffset.UTC)).add();
                }
                batch.execute();
                return null;
            });
            for (int i = 0; i < hosts; i++) {
                s.lab().drop().createHost(String.format("h-%05d", i));
            }
            long t0 = System.nanoTime();
            app.rescan();
            double rescanMs = (System.nanoTime() - t0) / 1e6;
            Random random = new Random(42);
            long[] seq = new long[hosts];
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < samples + 20; i++) {
                int h = random.nextInt(hosts);
                String host = String.format("h-%05d", h);
                long next = ++seq[h];
                Path dir = s.lab().drop().hostDir(host);
                Path temp = dir.resolve(".state-tmp");
                Files.writeString(temp, "<state xmlns=\"urn:labdrop:state:1\" host=\"" + host + "\" seq=\"" + next
                        + "\"><updated>" + Instant.now() + "</updated><status>Running</status>"
                        + "<step>1/3 dbench</step><agentVersion>bench</agentVersion><bootId>b</bootId></state>");
                long start = System.nanoTime();
                Files.move(temp, dir.resolve("state_file"), StandardCopyOption.ATOMIC_MOVE);
                while (s.lab().store().read(x -> x.createQuery("select last_seq from hosts where name = :n")
                        .bind("n", host).mapTo(Long.class).one()) < next) {
                    Thread.onSpinWait();
                }
                if (i >= 20) {
                    micros.add((System.nanoTime() - start) / 1_000);
                }
            }
            System.out.printf("| state ingest (rename → host row updated), %d hosts, %d samples | %d watches, full rescan %.0f ms | %s | %s |%n",
                    hosts, samples, app.watchCount(), rescanMs, ms(percentile(micros, 50)), ms(percentile(micros, 99)));
        }
    }

    static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static String ms(long micros) {
        return String.format("%.2f ms", micros / 1000.0);
    }
}
