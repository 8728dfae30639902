package labdrop.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import labdrop.pkg.FetchPolicy;
import labdrop.pkg.Fetcher;
import labdrop.pkg.InstallLimits;
import labdrop.pkg.Installer;
import labdrop.pkg.Manifest;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;
import labdrop.web.HttpServerFactory;
import org.eclipse.jetty.server.Server;

/**
 * bench/pkg-bench.sh runs this. Phase "serve": Jetty vs nginx (same folder, same Java client).
 * Phase "pipeline": labdrop fetch + verify + install of a package set, printed per run; the
 * script times the native pipelines around it. Prints markdown rows.
 */
public final class PkgBench {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "build" -> build(Path.of(args[1]), Integer.parseInt(args[2]));
            case "serve" -> serve(Path.of(args[1]), Integer.parseInt(args[2]));
            case "pipeline" -> {
                // Cold: this fresh JVM's first pass (an agent run by a timer). Warm: a second pass
                // into a new folder in the same JVM (the agent daemon).
                double cold = pipeline(URI.create(args[1]), Path.of(args[2], "cold-cache"), Path.of(args[3], "cold"));
                double warm = pipeline(URI.create(args[1]), Path.of(args[2], "warm-cache"), Path.of(args[3], "warm"));
                System.out.printf("%.3f %.3f%n", cold, warm);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** A realistic set: one large package, one of many small files, two middling ones; plus 2,000 small static files. */
    static void build(Path repo, int bigMegabytes) throws Exception {
        Files.createDirectories(repo);
        Random random = new Random(1);
        String[] words = new String[4096];
        for (int i = 0; i < words.length; i++) {
            words[i] = Long.toString(random.nextLong() & 0xffffffffL, 36);
        }
        Path work = Files.createTempDirectory("labdrop-pkgbench");
        Path big = Files.createDirectories(work.resolve("big"));
        writeText(big.resolve("data.txt"), bigMegabytes << 20, words, random);
        Path many = Files.createDirectories(work.resolve("many"));
        for (int i = 0; i < 4000; i++) {
            writeText(Files.createDirectories(many.resolve("d" + i / 100)).resolve("f" + i + ".c"), 3000, words, random);
        }
        PackageBuilder builder = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, Runtime.getRuntime().availableProcessors());
        builder.build(big, new PackageFile(PackageType.TEST, "bigdata", PackageFormat.BZ2), repo);
        builder.build(many, new PackageFile(PackageType.TEST, "manyfiles", PackageFormat.BZ2), repo);
        for (String name : List.of("kernbench", "dbench")) {
            Path mid = Files.createDirectories(work.resolve(name));
            writeText(mid.resolve("data.txt"), 8 << 20, words, random);
            builder.build(mid, new PackageFile(PackageType.TEST, name, PackageFormat.BZ2), repo);
        }
        new Repository(repo).index();
        Path small = Files.createDirectories(repo.resolve("small"));
        for (int i = 0; i < 2000; i++) {
            writeText(small.resolve("s" + i + ".txt"), 4096, words, random);
        }
    }

    static void writeText(Path file, long bytes, String[] words, Random random) throws Exception {
        StringBuilder out = new StringBuilder();
        try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            long written = 0;
            while (written < bytes) {
                out.setLength(0);
                for (int i = 0; i < 12; i++) {
                    out.append(words[random.nextInt(words.length)]).append(i == 11 ? '\n' : ' ');
                }
                w.write(out.toString());
                written += out.length();
            }
        }
    }

    static void serve(Path repo, int nginxPort) throws Exception {
        Server jetty = HttpServerFactory.build("127.0.0.1", 0, Map.of("bench", repo), null);
        jetty.start();
        try {
            Map<String, String> bases = new LinkedHashMap<>();
            bases.put("Jetty (labdrop)", "http://127.0.0.1:" + HttpServerFactory.port(jetty) + "/packages/bench/");
            bases.put("nginx", "http://127.0.0.1:" + nginxPort + "/");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long bigSize = Files.size(repo.resolve("test-bigdata.tar.bz2"));
            Map<String, List<Double>> results = new LinkedHashMap<>();
            for (int round = 0; round < 5; round++) {
                for (var base : bases.entrySet()) {
                    results.computeIfAbsent(base.getKey() + "|big1", k -> new ArrayList<>())
                            .add(bigSize / 1e6 / seconds(() -> get(client, base.getValue() + "test-bigdata.tar.bz2", 1, 1)));
                    results.computeIfAbsent(base.getKey() + "|big16", k -> new ArrayList<>())
                            .add(16 * bigSize / 1e6 / seconds(() -> get(client, base.getValue() + "test-bigdata.tar.bz2", 16, 16)));
                    results.computeIfAbsent(base.getKey() + "|small1", k -> new ArrayList<>())
                            .add(2000 / seconds(() -> getSmall(client, base.getValue(), 1)));
                    results.computeIfAbsent(base.getKey() + "|small16", k -> new ArrayList<>())
                            .add(2000 / seconds(() -> getSmall(client, base.getValue(), 16)));
                }
            }
            System.out.println("| case | Jetty (labdrop) | nginx | ratio Jetty/nginx |");
            System.out.println("|---|---|---|---|");
            for (String[] c : new String[][] {{"big1", "~" + bigSize / 1_000_000 + " MB package, 1 client", "MB/s"},
                    {"big16", "same package, 16 clients at once", "MB/s"}, {"small1", "2,000 small files, 1 client", "req/s"},
                    {"small16", "2,000 small files, 16 clients", "req/s"}}) {
                double jetty1 = median(results.get("Jetty (labdrop)|" + c[0]));
                double nginx1 = median(results.get("nginx|" + c[0]));
                System.out.printf("| %s | %.0f %s | %.0f %s | %.2f |%n", c[1], jetty1, c[2], nginx1, c[2], jetty1 / nginx1);
            }
        } finally {
            jetty.stop();
        }
    }

    private static void get(HttpClient client, String url, int clients, int requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                all.add(pool.submit(() -> {
                    HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (var in = r.body()) {
                        in.transferTo(OutputStream.nullOutputStream());
                    }
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(url + " " + r.statusCode());
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static void getSmall(HttpClient client, String base, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger next = new AtomicInteger();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                all.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < 2000; ) {
                        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + "small/s" + i + ".txt")).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException(base + " " + r.statusCode());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** labdrop's client pipeline: every package fetched (verified) and installed, packages concurrently. */
    static double pipeline(URI repo, Path cache, Path root) throws Exception {
        Manifest manifest = manifest(repo);
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService decode = Executors.newFixedThreadPool(threads);
        ExecutorService perPackage = Executors.newFixedThreadPool(threads);
        Fetcher fetcher = new Fetcher(new FetchPolicy(Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ofMinutes(30), 8 << 20, 2,
                Duration.ofMillis(100), d -> Thread.sleep(d.toMillis())), new Random());
        Installer installer = new Installer(InstallLimits.DEFAULT, decode, threads);
        long start = System.nanoTime();
        List<Future<?>> jobs = new ArrayList<>();
        for (Manifest.Entry e : manifest.entries().values()) {
            jobs.add(perPackage.submit(() -> {
                Path got = fetcher.fetch(new Fetcher.Wanted(e.name(), e.sha256(), e.size()), List.of(repo), cache);
                installer.install(got, e.sha256(), e.streamOffsets(), root);
                return null;
            }));
        }
        for (Future<?> job : jobs) {
            job.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        decode.shutdown();
        perPackage.shutdown();
        return seconds;
    }

    private static Manifest manifest(URI repo) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String checksum = client.send(HttpRequest.newBuilder(repo.resolve("packages.checksum")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String manifest = client.send(HttpRequest.newBuilder(repo.resolve("packages.manifest")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return Manifest.parse(checksum, manifest, repo.toString());
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double seconds(Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
