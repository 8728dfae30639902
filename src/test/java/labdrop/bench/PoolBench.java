package labdrop.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import labdrop.admin.HostDraft;
import labdrop.app.ServerApp;
import labdrop.app.Services;
import labdrop.app.Sut;
import labdrop.host.HostState;
import labdrop.host.HostTypes;
import labdrop.queue.Queue;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.HostRows;
import labdrop.store.PlacementRows;
import labdrop.store.RequestRows;

/**
 * bench/pool-bench.sh runs this: pool requests over many hosts of several types, on the real server
 * (H2), agents simulated by writing state and result files into the drop as an agent does (temp
 * name, rename). Measures the filing rate; the placement decision (a free host's release: its
 * queue, the pool heads, fair sharing, the claim) at two queue lengths; the drain with runs of
 * 0.5 to 1.4 s; Available → next placement; and how good the predicted start is.
 * Prints markdown rows; figures go to docs/performance.md.
 */
public final class PoolBench {
    private static final int REQUESTERS = 20;
    private static final int DECISIONS = 200;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int hostCount = Integer.parseInt(args[1]);
        int types = Integer.parseInt(args[2]);
        int requests = Integer.parseInt(args[3]);
        Random random = new Random(7);
        try (ServerApp app = ServerBench.server(work.resolve("state"))) {
            Services s = app.services();
            Path typesDir = work.resolve("state/host-types");
            List<String> hosts = new ArrayList<>();
            for (int t = 0; t < types; t++) {
                Files.copy(typesDir.resolve(HostTypes.DEFAULT), typesDir.resolve(type(t)));
            }
            for (int i = 0; i < hostCount; i++) {
                String name = String.format("p-%05d", i);
                s.hosts().add(new HostDraft(name, type(i % types), "", null, false, true, null), "bench");
                hosts.add(name);
            }
            Map<String, Instant> predictedAtFiling = new ConcurrentHashMap<>();
            List<Long> filingMicros = new ArrayList<>();
            int first = hostCount + hostCount + DECISIONS;
            long start = System.nanoTime();
            fileMany(s, random, types, Math.min(first, requests), filingMicros, predictedAtFiling);
            String decisionsSmall = decisions(s, hosts, random);
            fileMany(s, random, types, requests - Math.min(first, requests), filingMicros, predictedAtFiling);
            double filingSeconds = (System.nanoTime() - start) / 1e9;
            String decisionsLarge = decisions(s, hosts, random);
            System.out.printf("| filing %d pool requests over %d hosts of %d types (%d requesters) | %.0f requests/s | %s | %s |%n",
                    requests, hostCount, types, REQUESTERS, requests / filingSeconds,
                    ServerBench.ms(ServerBench.percentile(filingMicros, 50)), ServerBench.ms(ServerBench.percentile(filingMicros, 99)));
            System.out.println(decisionsSmall);
            System.out.println(decisionsLarge);

            System.out.println(paced(s, hosts, random));

            Map<String, Instant> available = new ConcurrentHashMap<>();
            Map<String, Instant> predictedInDrain = new ConcurrentHashMap<>();
            Map<String, Instant> predictionMade = new ConcurrentHashMap<>();
            long drainStart = System.nanoTime();
            Agents agents = new Agents(s, hosts, available);
            agents.start();
            long total = s.lab().store().read(h -> h.createQuery("select count(*) from requests").mapTo(Long.class).one());
            while (true) {
                long open = s.lab().store().read(h -> h.createQuery(
                        "select count(*) from requests where state in ('QUEUED','PLACED','PICKED_UP','RUNNING')")
                        .mapTo(Long.class).one());
                if (open == 0) {
                    break;
                }
                List<Request> queued = s.desk().list(new RequestRows.Filter(null, RequestState.QUEUED, type(random.nextInt(types)),
                        null, null), 0, 1000);
                if (!queued.isEmpty() && predictedInDrain.size() < 400) {
                    Request r = queued.get(random.nextInt(queued.size()));
                    Instant predicted = s.estimates().predictedStart(r);
                    if (predicted != null) {
                        predictionMade.put(r.id(), s.lab().now());
                        predictedInDrain.put(r.id(), predicted);
                    }
                }
                Thread.sleep(50);
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            agents.stop();
            System.out.printf("| drain: %d requests run by %d simulated agents (runs of 0.5 to 1.4 s by type) | %.1f s | %.0f requests/s | |%n",
                    total, hostCount, drainSeconds, total / drainSeconds);
            System.out.println(availableToPlacement(s, available));
            System.out.println(accuracy(s, "predicted at filing (no run history yet)", predictedAtFiling, null));
            System.out.println(accuracy(s, "predicted while draining (recent runs known)", predictedInDrain, predictionMade));
        }
    }

    static String type(int t) {
        return "type-" + t;
    }

    private static void fileMany(Services s, Random random, int types, int n, List<Long> micros,
                                 Map<String, Instant> predicted) {
        for (int i = 0; i < n; i++) {
            String requester = String.format("tester-%02d", random.nextInt(REQUESTERS));
            long t0 = System.nanoTime();
            Request r = s.desk().file(new RequestSpec(null, requester, List.of(TestSpec.parse("dbench")), Priority.NORMAL,
                    false, null, null, null, null, new Pool(type(random.nextInt(types)), List.of())));
            micros.add((System.nanoTime() - t0) / 1_000);
            if (i % 50 == 0 && r.state() == RequestState.QUEUED) {
                Instant p = s.estimates().predictedStart(r);
                if (p != null) {
                    predicted.put(r.id(), p);
                }
            }
        }
    }

    /**
     * The placement decision, {@value #DECISIONS} times: a busy host's request is finished (not
     * timed), then the host's release is timed: lock, its own queue, the pool heads, fair sharing,
     * the claim and the outbox row, committed.
     */
    private static String decisions(Services s, List<String> hosts, Random random) {
        long queued = s.lab().store().read(h -> h.createQuery("select count(*) from requests where state = 'QUEUED'")
                .mapTo(Long.class).one());
        List<Long> micros = new ArrayList<>();
        int placed = 0;
        for (int i = 0; i < DECISIONS; i++) {
            String host = hosts.get(random.nextInt(hosts.size()));
            s.lab().store().tx(h -> {
                RequestRows.active(h, host).ifPresent(a -> {
                    RequestRows.setState(h, a.number(), RequestState.PASSED, "bench", s.lab().now());
                    PlacementRows.add(h, a.number(), host, "remove", s.lab().now());
                });
                HostRows.setState(h, host, HostState.AVAILABLE, s.lab().now());
                return null;
            });
            long t0 = System.nanoTime();
            boolean took = s.lab().store().tx(h -> Queue.release(h, HostRows.lock(h, host).orElseThrow(), s.lab().now()).isPresent());
            micros.add((System.nanoTime() - t0) / 1_000);
            placed += took ? 1 : 0;
        }
        s.placer().drain();
        return String.format("| placement decision on a host becoming free, %d queued (%d of %d placed one) | | %s | %s |",
                queued, placed, DECISIONS, ServerBench.ms(ServerBench.percentile(micros, 50)),
                ServerBench.ms(ServerBench.percentile(micros, 99)));
    }

    /**
     * Available → next placement while ingest keeps up: {@value #DECISIONS} busy hosts, one every
     * 100 ms, each runs its request to the end through files (Running, result, Available) and the
     * time from the Available state_file's rename to the host's next placement is taken.
     */
    private static String paced(Services s, List<String> hosts, Random random) throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < DECISIONS; i++) {
            String host = hosts.get(random.nextInt(hosts.size()));
            Request active = s.lab().store().read(h -> RequestRows.active(h, host)).orElse(null);
            if (active == null || !Files.exists(s.lab().drop().requestFile(host, active.id()))) {
                continue;
            }
            Sut sut = new Sut(s.lab().drop().root(), host);
            long seq = s.lab().store().read(h -> h.createQuery("select last_seq from hosts where name = :n").bind("n", host)
                    .mapTo(Long.class).one());
            sut.resumeAfter(seq);
            sut.complete(active.id());
            Instant at = Instant.now();
            long deadline = System.currentTimeMillis() + 10_000;
            Instant placed = null;
            while (placed == null && System.currentTimeMillis() < deadline) {
                placed = s.lab().store().read(h -> RequestRows.active(h, host)).filter(r -> r.number() != active.number())
                        .map(Request::placedAt).orElse(null);
                Thread.sleep(1);
            }
            if (placed != null) {
                micros.add(Math.max(0, Duration.between(at, placed).toNanos() / 1_000));
            }
            Thread.sleep(100);
        }
        return String.format("| Available state_file → next placement, one host every 100 ms (ingest keeps up), %d events"
                + " | | %s | %s |", micros.size(), ServerBench.ms(ServerBench.percentile(micros, 50)),
                ServerBench.ms(ServerBench.percentile(micros, 99)));
    }

    /** From the agent's Available state_file (its rename) to the host's next placement (placed_at), when one was waiting. */
    private static String availableToPlacement(Services s, Map<String, Instant> available) {
        List<Long> micros = new ArrayList<>();
        for (Map.Entry<String, Instant> e : available.entrySet()) {
            String host = e.getKey().substring(0, e.getKey().indexOf('/'));
            Instant at = e.getValue();
            s.lab().store().read(h -> h.createQuery("select min(placed_at) from requests where host = :host and placed_at >= :at")
                    .bind("host", host).bind("at", at.minusMillis(1).atOffset(ZoneOffset.UTC))
                    .mapTo(OffsetDateTime.class).findOne()).ifPresent(p -> {
                        if (p != null) {
                            micros.add(Duration.between(at, p.toInstant()).toNanos() / 1_000);
                        }
                    });
        }
        return String.format("| Available state_file → next placement on that host (%d events with work waiting) | | %s | %s |",
                micros.size(), ServerBench.ms(ServerBench.percentile(micros, 50)), ServerBench.ms(ServerBench.percentile(micros, 99)));
    }

    /** |predicted − actual start| as a fraction of the actual wait (from filing, or from when the prediction was made). */
    private static String accuracy(Services s, String what, Map<String, Instant> predicted, Map<String, Instant> madeAt) {
        List<Long> permille = new ArrayList<>();
        for (Map.Entry<String, Instant> e : predicted.entrySet()) {
            Request r = s.desk().find(e.getKey());
            if (r.placedAt() == null) {
                continue;
            }
            Instant from = madeAt == null ? r.filedAt() : madeAt.get(e.getKey());
            long wait = Duration.between(from, r.placedAt()).toMillis();
            if (wait <= 0) {
                continue;
            }
            permille.add(Math.abs(Duration.between(e.getValue(), r.placedAt()).toMillis()) * 1000 / wait);
        }
        return String.format("| predicted start, %s: |predicted − actual| / actual wait, %d requests | | %.0f %% | %.0f %% (p90) |",
                what, permille.size(), ServerBench.percentile(permille, 50) / 10.0, ServerBench.percentile(permille, 90) / 10.0);
    }

    /** The simulated agents: pick up what is placed, report Running, and after the run a result and Available. */
    private static final class Agents {
        private final Services s;
        private final List<String> hosts;
        private final Map<String, Instant> available;
        private final Map<String, Sut> suts = new ConcurrentHashMap<>();
        private final Set<String> taken = ConcurrentHashMap.newKeySet();
        private final ScheduledExecutorService runs = Executors.newScheduledThreadPool(2);
        private volatile boolean stopped;
        private Thread poller;

        Agents(Services s, List<String> hosts, Map<String, Instant> available) {
            this.s = s;
            this.hosts = hosts;
            this.available = available;
            Map<String, Long> seqs = new ConcurrentHashMap<>();
            s.lab().store().read(h -> h.createQuery("select name, last_seq from hosts").map((rs, ctx) ->
                    Map.entry(rs.getString(1), rs.getLong(2))).list()).forEach(e -> seqs.put(e.getKey(), e.getValue()));
            hosts.forEach(h -> {
                Sut sut = new Sut(s.lab().drop().root(), h);
                sut.resumeAfter(seqs.getOrDefault(h, 0L));
                suts.put(h, sut);
            });
        }

        void start() {
            poller = new Thread(() -> {
                while (!stopped) {
                    for (String host : hosts) {
                        try (Stream<Path> files = Files.list(s.lab().drop().currentDir(host))) {
                            for (Path f : files.toList()) {
                                String name = f.getFileName().toString();
                                if (name.startsWith(".") || !name.endsWith(".xml") || !taken.add(host + "/" + name)) {
                                    continue;
                                }
                                String id = name.substring(0, name.length() - 4);
                                Sut sut = suts.get(host);
                                synchronized (sut) {
                                    sut.state("Running", id, "1/1 dbench");
                                }
                                int type = Integer.parseInt(s.hosts().show(host).type().substring("type-".length()));
                                long runMillis = 500 + 100L * type;
                                runs.schedule(() -> finish(host, id), runMillis, TimeUnit.MILLISECONDS);
                            }
                        } catch (Exception e) {
                            if (!stopped) {
                                e.printStackTrace();
                            }
                        }
                    }
                }
            }, "simulated-agents");
            poller.start();
        }

        private void finish(String host, String id) {
            Sut sut = suts.get(host);
            try {
                synchronized (sut) {
                    sut.result(id, "pass");
                    available.put(host + "/" + id, Instant.now());
                    sut.state("Available", null, null);
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            poller.join();
            runs.shutdownNow();
        }
    }
}
