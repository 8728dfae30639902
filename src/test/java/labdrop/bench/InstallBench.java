package labdrop.bench;

import static labdrop.bench.Waits.waitFor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.admin.HostDraft;
import labdrop.app.ServerApp;
import labdrop.app.Services;
import labdrop.drop.AtomicFiles;
import labdrop.host.HostState;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageDigest;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;

/**
 * The agent's real install path (issue 19): a request for one test whose package is large, run by
 * the agent as packaged (the launcher, target/labdrop.jar) two ways — {@code agent --once} in a
 * cold JVM (start → exit), and the long-polling daemon (filing → Passed) with the JVM options of
 * its systemd unit — against Autotest's shell pipeline on the same package from the same server:
 * {@code wget}, {@code md5sum -c}, {@code tar xjf} (or {@code tar --zstd -xf}). Each run installs from scratch (the agent's
 * installed copy and cache are removed first); rounds alternate the order.
 */
public final class InstallBench {
    private static final String RUN = "#!/bin/sh\necho installed\nexit 0\n";
    /** The agent decodes bzip2 with lbzip2 when the SUT has it: the native pipeline is run with it too. */
    private static final boolean LBZIP2 = Files.isExecutable(Path.of("/usr/bin/lbzip2"));

    private InstallBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int megabytes = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Path repo = work.resolve("state/packages/builtin");
        Map<String, PackageFile> packages = new LinkedHashMap<>();
        packages.put("bzip2, multi-stream (labdrop pkg build)", new PackageFile(PackageType.TEST, "bigbz", PackageFormat.BZ2));
        packages.put("bzip2, one stream (tar cjf, as Autotest packs)", new PackageFile(PackageType.TEST, "onebz", PackageFormat.BZ2));
        packages.put("zstd", new PackageFile(PackageType.TEST, "bigzst", PackageFormat.ZST));
        // e.g. LABDROP_BENCH_PACKAGES=bigzst: only those packages (bigbz, onebz, bigzst)
        String only = System.getenv("LABDROP_BENCH_PACKAGES");
        if (only != null && !only.isBlank()) {
            List<String> names = List.of(only.split(","));
            packages.values().removeIf(p -> !names.contains(p.name()));
        }
        Path src = Files.createDirectories(work.resolve("src"));
        Random random = new Random(1);
        String[] words = new String[4096];
        for (int i = 0; i < words.length; i++) {
            words[i] = Long.toString(random.nextLong() & 0xffffffffL, 36);
        }
        PkgBench.writeText(src.resolve("data.txt"), (long) megabytes << 20, words, random);
        Path run = Files.writeString(src.resolve("run"), RUN);
        run.toFile().setExecutable(true);
        Map<String, String> md5 = new HashMap<>();
        PackageBuilder builder = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, Runtime.getRuntime().availableProcessors());
        for (PackageFile p : packages.values()) {
            if (p.name().equals("onebz")) {
                Path file = Files.createDirectories(repo).resolve(p.fileName());
                Process tar = new ProcessBuilder("tar", "-cjf", file.toString(), "-C", src.toString(), ".").inheritIO().start();
                if (tar.waitFor() != 0) {
                    throw new IllegalStateException("tar -cjf failed");
                }
                md5.put(p.fileName(), PackageDigest.of(file).md5());
            } else {
                md5.put(p.fileName(), builder.build(src, p, Files.createDirectories(repo)).digest().md5());
            }
        }
        new Repository(repo).index();
        // the start-up archives the package builds when it is installed: agent --once maps agent.jsa
        Process archives = new ProcessBuilder("appliance/cli-archive", Path.of("target/labdrop.jar").toAbsolutePath().toString(),
                work.resolve("cli.jsa").toString(), work.resolve("agent.jsa").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("cli-archive.log").toFile()).start();
        if (archives.waitFor() != 0) {
            throw new IllegalStateException("appliance/cli-archive failed: " + Files.readString(work.resolve("cli-archive.log")));
        }
        try (ServerApp app = ServerBench.server(work.resolve("state"))) {
            Services s = app.services();
            String base = "http://127.0.0.1:" + app.httpPort();
            Files.writeString(work.resolve("boot_id"), "bench\n");
            Map<String, String> onceEnv = agentEnv(s, work, base, "once");
            Process daemon = JavaChild.launcher(agentEnv(s, work, base, "daemon"), work.resolve("daemon.log"), "agent");
            try {
                waitFor(() -> s.hosts().show("daemon").state() == HostState.AVAILABLE && s.doorbell().held() == 1, 120_000);
                Map<String, List<Double>> seconds = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (var p : packages.entrySet()) {
                        PackageFile pkg = p.getValue();
                        List<String> order = pkg.format() == PackageFormat.BZ2 && LBZIP2
                                ? List.of("native", "lbzip2", "once", "daemon") : List.of("native", "once", "daemon");
                        for (int k = 0; k < order.size(); k++) {
                            String who = order.get((k + r) % order.size());
                            double t = switch (who) {
                                case "native" -> nativePipeline(work, base, pkg, md5.get(pkg.fileName()), false);
                                case "lbzip2" -> nativePipeline(work, base, pkg, md5.get(pkg.fileName()), true);
                                case "once" -> once(s, work, onceEnv, pkg);
                                default -> daemonRun(s, work, pkg);
                            };
                            seconds.computeIfAbsent(p.getKey() + "|" + who, x -> new ArrayList<>()).add(t);
                        }
                    }
                }
                System.out.printf("| %d MiB of text, %d rounds alternating | min | median | max | native / labdrop (medians) |%n",
                        megabytes, rounds);
                System.out.println("|---|---|---|---|---|");
                for (var p : packages.entrySet()) {
                    String tar = p.getValue().format() == PackageFormat.ZST ? "tar --zstd -xf" : "tar xjf";
                    double nativeMedian = median(seconds.get(p.getKey() + "|native"));
                    row(p.getKey() + ": wget + md5sum -c + " + tar, seconds.get(p.getKey() + "|native"), nativeMedian);
                    if (seconds.containsKey(p.getKey() + "|lbzip2")) {
                        row(p.getKey() + ": wget + md5sum -c + tar -I lbzip2 -xf (ratio: tar xjf's over this)",
                                seconds.get(p.getKey() + "|lbzip2"), nativeMedian);
                    }
                    row(p.getKey() + ": agent --once, cold JVM (start → exit)", seconds.get(p.getKey() + "|once"), nativeMedian);
                    row(p.getKey() + ": agent daemon (filing → Passed)", seconds.get(p.getKey() + "|daemon"), nativeMedian);
                }
                System.out.printf("%npackage sizes: %s%n", packages.values().stream().map(p -> {
                    try {
                        return p.fileName() + " " + Files.size(repo.resolve(p.fileName())) / 1_000_000 + " MB";
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList());
            } finally {
                daemon.destroy();
                daemon.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Map<String, String> agentEnv(Services s, Path work, String base, String host) throws Exception {
        s.hosts().add(new HostDraft(host, "default", "", null, false, true, null), "bench");
        Path token = work.resolve(host + ".token");
        Files.writeString(token, s.doorbell().issueToken(host) + "\n");
        Map<String, String> env = new HashMap<>(Map.of("LABDROP_HOST", host,
                "LABDROP_DROP_URL", work.resolve("state/drop/" + host).toUri().toString(),
                "LABDROP_WORK_DIR", work.resolve("agent-" + host).toString(),
                "LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE", work.resolve("boot_id").toString(),
                "LABDROP_DOORBELL_URL", base + "/api/v1/hosts/" + host + "/generation",
                "LABDROP_DOORBELL_TOKEN_FILE", token.toString(),
                "LABDROP_AGENT_ARCHIVE", work.resolve("agent.jsa").toString()));
        // the daemon with its unit's JVM options, as systemd starts it; --once with the launcher's (as the timer's unit)
        String opts = host.equals("daemon") ? unitJavaOptions() : "";
        // e.g. a flight recording of the agent's runs: LABDROP_BENCH_AGENT_OPTS=-XX:StartFlightRecording=...
        String extra = System.getenv("LABDROP_BENCH_AGENT_OPTS");
        if (extra != null) {
            opts = opts + " " + extra.replace("%h", host);
        }
        if (!opts.isBlank()) {
            env.put("LABDROP_JAVA_OPTS", opts.strip());
        }
        return env;
    }

    /** LABDROP_JAVA_OPTS of systemd/labdrop-agent.service. */
    private static String unitJavaOptions() throws Exception {
        Matcher m = Pattern.compile("(?m)^Environment=\"LABDROP_JAVA_OPTS=(.*)\"$")
                .matcher(Files.readString(Path.of("systemd/labdrop-agent.service")));
        if (!m.find()) {
            throw new IllegalStateException("systemd/labdrop-agent.service sets no LABDROP_JAVA_OPTS");
        }
        return m.group(1);
    }

    /** Removes what the agent installed and cached for the host, so the next run installs from scratch. */
    private static void forget(Path work, String host) throws Exception {
        AtomicFiles.deleteTree(work.resolve("agent-" + host + "/install"));
        AtomicFiles.deleteTree(work.resolve("agent-" + host + "/cache"));
    }

    private static Request file(Services s, String host, PackageFile pkg) throws Exception {
        return s.desk().file(new RequestSpec(host, "bench", List.of(TestSpec.parse(pkg.name())), Priority.NORMAL, false,
                null, null, null, null));
    }

    private static double once(Services s, Path work, Map<String, String> env, PackageFile pkg) throws Exception {
        forget(work, "once");
        Request request = file(s, "once", pkg);
        long t0 = System.nanoTime();
        Process p = JavaChild.launcher(env, work.resolve("once.log"), "agent", "--once");
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("agent --once did not end");
        }
        double t = (System.nanoTime() - t0) / 1e9;
        requirePassed(s, request);
        return t;
    }

    private static double daemonRun(Services s, Path work, PackageFile pkg) throws Exception {
        forget(work, "daemon");
        Request request = file(s, "daemon", pkg);
        long t0 = System.nanoTime();
        waitFor(() -> s.desk().find(request.id()).state().isFinal(), 600_000);
        double t = (System.nanoTime() - t0) / 1e9;
        requirePassed(s, request);
        waitFor(() -> s.hosts().show("daemon").state() == HostState.AVAILABLE && s.doorbell().held() == 1, 60_000);
        return t;
    }

    private static void requirePassed(Services s, Request request) throws Exception {
        waitFor(() -> s.desk().find(request.id()).state().isFinal(), 60_000);
        RequestState state = s.desk().find(request.id()).state();
        if (state != RequestState.PASSED) {
            throw new IllegalStateException(request.id() + " ended " + state + "; see the agent's log under the bench folder");
        }
    }

    private static double nativePipeline(Path work, String base, PackageFile pkg, String md5, boolean lbzip2) throws Exception {
        Path dir = work.resolve("native");
        AtomicFiles.deleteTree(dir);
        Files.createDirectories(dir.resolve("out"));
        String tar = pkg.format() == PackageFormat.ZST ? "tar --zstd -xf" : lbzip2 ? "tar -I lbzip2 -xf" : "tar xjf";
        String script = "set -e; cd '" + dir + "'; wget -q '" + base + "/packages/builtin/" + pkg.fileName() + "'; echo '" + md5
                + "  " + pkg.fileName() + "' | md5sum -c --quiet; " + tar + " " + pkg.fileName() + " -C out; ./out/run >/dev/null";
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", script).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the native pipeline failed: " + script);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static void row(String what, List<Double> seconds, double nativeMedian) {
        List<Double> sorted = new ArrayList<>(seconds);
        sorted.sort(null);
        System.out.printf("| %s | %.2f s | %.2f s | %.2f s | %.2f× |%n", what, sorted.get(0), median(seconds),
                sorted.get(sorted.size() - 1), nativeMedian / median(seconds));
    }
}
