package labdrop.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Stream;
import labdrop.admin.HostDraft;
import labdrop.config.ServerConfig;
import labdrop.drop.AtomicFiles;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.XmlFormat;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.RequestXml;
import labdrop.request.TestSpec;
import labdrop.store.PlacementRows;
import labdrop.store.RequestRows;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL the server process at a random moment during a round of 200 filings by another process
 * (this test, like the CLI), half of them for one host and half for the pool of every host, while
 * SUTs complete requests; restart it each round, ten rounds. Afterwards every acknowledged request
 * is in the store, none was placed twice, each host has at most one placed request, the drop holds
 * exactly the placed requests' files, each byte-identical to a fresh render and parseable, and no
 * temporary file is left anywhere.
 */
class CrashSafetyIT {
    private static final int ROUNDS = 10;
    private static final int FILINGS_PER_ROUND = 200;
    private static final int HOSTS = 6;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedFilingSurvivesSigkillAndIsPlacedExactlyOnce() throws Exception {
        long seed = System.nanoTime();
        System.out.println("CrashSafetyIT seed " + seed);
        Random random = new Random(seed);
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_STATE_DIR", dir.resolve("state").toString());
        env.put("LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        env.put("LABDROP_PLACER_INTERVAL", "50ms");
        env.put("LABDROP_HTTP_HOST", "127.0.0.1");
        env.put("LABDROP_HTTP_PORT", "0");
        env.put("LABDROP_SSH_PORT", "0");
        ServerConfig config = ServerConfig.load(null, env);
        SamplePackages.publish(config.http().repositories().get("builtin"), "dbench");
        List<String> hosts = new ArrayList<>();
        try (Services s = Services.open(config, Clock.systemUTC())) {
            for (int i = 0; i < HOSTS; i++) {
                hosts.add("sut-" + i);
                s.hosts().add(new HostDraft("sut-" + i, "default", "", null, false, true, null), "admin");
            }
        }
        Map<String, Sut> suts = new HashMap<>();
        hosts.forEach(h -> suts.put(h, new Sut(config.dropDir(), h)));
        Set<String> acknowledged = new ConcurrentSkipListSet<>();
        Set<String> acknowledgedForPool = new ConcurrentSkipListSet<>();
        int refused = 0;
        Map<String, Integer> refusals = new TreeMap<>();
        List<String> kills = new ArrayList<>();

        for (int round = 0; round < ROUNDS; round++) {
            Process server = startServer(env, round);
            // The kill lands while filing number killAt is under way: a few milliseconds into it.
            int killAt = 1 + random.nextInt(FILINGS_PER_ROUND - 2);
            long killDelayMicros = random.nextInt(5_000);
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(killDelayMicros / 1000, (int) (killDelayMicros % 1000) * 1000);
                } catch (InterruptedException e) {
                    return;
                }
                server.destroyForcibly();
            }, "sigkill-round-" + round);
            kills.add("round " + round + ": filing " + killAt + " of " + FILINGS_PER_ROUND + " + " + killDelayMicros + " µs");
            try (Services s = Services.open(config, Clock.systemUTC())) {
                for (int i = 0; i < FILINGS_PER_ROUND; i++) {
                    if (i == killAt) {
                        killer.start();
                    }
                    String host = hosts.get(random.nextInt(HOSTS));
                    boolean toPool = random.nextBoolean();
                    completeOnePlacedRequest(suts.get(hosts.get(random.nextInt(HOSTS))));
                    try {
                        Request r = s.desk().file(new RequestSpec(toPool ? null : host, "bob",
                                List.of(TestSpec.parse("dbench")), Priority.values()[random.nextInt(4)], false, null, null,
                                null, null, toPool ? new Pool("default", List.of()) : null));
                        acknowledged.add(r.id());
                        if (toPool) {
                            acknowledgedForPool.add(r.id());
                        }
                    } catch (RuntimeException e) {
                        refused++;
                        refusals.merge(String.valueOf(e.getMessage()).replaceAll("[0-9]+", "N").lines().findFirst().orElse(""), 1, Integer::sum);
                    }
                }
            } finally {
                if (killer.isAlive()) {
                    killer.join();
                }
                server.destroyForcibly();
                server.waitFor();
            }
        }

        Process last = startServer(env, ROUNDS);
        try (Services s = Services.open(config, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> s.lab().store().read(PlacementRows::countPending) == 0);
        }
        last.destroy();
        last.waitFor();

        System.out.println("CrashSafetyIT kills: " + kills);
        assertThat(kills).hasSize(ROUNDS);
        System.out.println("CrashSafetyIT: " + acknowledged.size() + " acknowledged (" + acknowledgedForPool.size() + " for the pool), " + refused + " refused while the store changed hands: " + refusals);
        assertThat(acknowledged.size()).as("filings acknowledged (the rest failed while the store changed hands)")
                .isGreaterThanOrEqualTo(ROUNDS * FILINGS_PER_ROUND * 3 / 4);
        try (Services s = Services.open(config, Clock.systemUTC())) {
            for (String id : acknowledged) {
                assertThat(s.desk().find(id)).as(id).isNotNull();
            }
            List<Long> placedTwice = s.lab().store().read(h -> h.createQuery("""
                    select request_num from placements where action = 'place'
                    group by request_num having count(*) > 1""").mapTo(Long.class).list());
            assertThat(placedTwice).as("requests placed more than once").isEmpty();
            List<Long> placedEventTwice = s.lab().store().read(h -> h.createQuery("""
                    select request_num from request_events where state = 'PLACED'
                    group by request_num having count(*) > 1""").mapTo(Long.class).list());
            assertThat(placedEventTwice).as("requests that went Placed twice").isEmpty();
            assertThat(acknowledgedForPool).as("pool filings acknowledged").hasSizeGreaterThan(ROUNDS * FILINGS_PER_ROUND / 4);
            for (String id : acknowledgedForPool) {
                Request r = s.desk().find(id);
                assertThat(r.pool()).as(id).isNotNull();
                assertThat(r.host() == null).as(id + " has a host exactly when it left the pool's queue")
                        .isEqualTo(r.state() == RequestState.QUEUED || r.state() == RequestState.CANCELLED);
            }
            for (String host : hosts) {
                List<Request> active = s.lab().store().read(h -> RequestRows.list(h, host, null, 10_000))
                        .stream().filter(r -> r.state().isActive()).toList();
                assertThat(active).as("placed requests of " + host).hasSizeLessThanOrEqualTo(1);
                assertThat(suts.get(host).current()).as("files in " + host + "/current")
                        .containsExactlyElementsOf(active.stream().map(r -> r.id() + ".xml").toList());
                for (Request r : active) {
                    byte[] onDisk = Files.readAllBytes(config.dropDir().resolve(host + "/current/" + r.id() + ".xml"));
                    DropXml.read(XmlFormat.REQUEST, onDisk, r.id());
                    assertThat(onDisk).isEqualTo(RequestXml.render(r));
                }
            }
        }
        try (Stream<Path> all = Files.walk(config.dropDir())) {
            assertThat(all.filter(p -> p.getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX))
                    .map(p -> config.dropDir().relativize(p).toString())).as("temporary files left").isEmpty();
        }
        assertThat(config.dropDir().resolve(".quarantine")).doesNotExist();
    }

    private static void completeOnePlacedRequest(Sut sut) {
        try {
            List<String> current = sut.current();
            if (!current.isEmpty()) {
                sut.complete(current.get(0).replace(".xml", ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process startServer(Map<String, String> env, int round) throws Exception {
        Path log = dir.resolve("server-" + round + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "labdrop.cli.Main", "server")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        // A start after a SIGKILL includes H2's takeover of the store's lock; on two busy cores that can take a while.
        try {
            await().atMost(Duration.ofSeconds(150)).until(() -> !process.isAlive()
                    || Files.exists(log) && Files.readString(log).contains("labdrop server running"));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("server round " + round + " did not start within 150 s; its log:\n"
                    + (Files.exists(log) ? Files.readString(log) : "(none)"), e);
        }
        assertThat(process.isAlive()).as("server started (see " + log + "): " + Files.readString(log)).isTrue();
        return process;
    }
}
