package labdrop.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import labdrop.config.ServerConfig;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.server.HostDraft;
import labdrop.server.ServerApp;
import labdrop.server.Services;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the server on embedded defaults with demo hosts and requests.",
                "Starts the server in DIR (H2 store, drop, host types), adds three hosts (one Available,",
                "one owner-only, one in Maint), files requests that show placement, rejection and holding,",
                "and prints how to play the SUT by hand. A second run resumes (the store is kept);",
                "--fresh starts clean. Ctrl-C stops it. The SUT agents arrive with the agent issue."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "labdrop-demo", description = "Demo state folder (default ${DEFAULT-VALUE}).")
    Path dir;
    @Option(names = "--fresh", description = "Delete DIR first and start clean.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        Path state = dir.toAbsolutePath().normalize();
        if (fresh && Files.exists(state)) {
            try (Stream<Path> all = Files.walk(state)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("LABDROP_STATE_DIR", state.toString());
        env.put("LABDROP_WATCHDOG_HEARTBEAT", env.getOrDefault("LABDROP_WATCHDOG_HEARTBEAT", "5m"));
        ServerConfig config = ServerConfig.load(null, env);
        publishSamples(config.http().repositories().get("builtin"));
        ServerApp app = ServerApp.build(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "labdrop-demo-shutdown"));
        app.start();
        Services s = app.services();
        if (s.hosts().list().isEmpty()) {
            s.hosts().add(new HostDraft("demo-01", "default", "x86_64", null, false, true, null), "admin");
            s.hosts().add(new HostDraft("demo-02", "default", "arm64", "alice", true, true, null), "admin");
            s.hosts().add(new HostDraft("demo-03", "default", "x86_64", null, false, false, null), "admin");
            List<Request> filed = List.of(
                    file(s, "demo-01", "bob", Priority.NORMAL, "dbench:-t 60"),
                    file(s, "demo-01", "carol", Priority.HIGH, "kernbench"),
                    file(s, "demo-02", "bob", Priority.NORMAL, "dbench"),
                    file(s, "demo-03", "bob", Priority.NORMAL, "dbench"));
            for (Request r : filed) {
                System.out.println(r.id() + " for " + r.host() + ": " + r.state().label()
                        + (r.reason() == null ? "" : " (" + r.reason() + ")"));
            }
        }
        Path drop = app.services().lab().drop().root();
        System.out.println();
        System.out.println("labdrop demo running. Drop: " + drop);
        System.out.println("Packages: http://127.0.0.1:" + app.httpPort() + "/packages/builtin/");
        System.out.println("Login: user 'admin', password in " + state.resolve("admin-password") + " (mode 0600)");
        System.out.println("In another terminal:");
        System.out.println("  export LABDROP_STATE_DIR=" + state);
        System.out.println("  appliance/labdrop host list");
        System.out.println("  appliance/labdrop request list");
        System.out.println("  appliance/labdrop host activate demo-03      # places the held request");
        System.out.println("Play the SUT demo-01 (what the agent will do): report that r-1 runs, then finish it:");
        System.out.println("  printf '<state xmlns=\"urn:labdrop:state:1\" host=\"demo-01\" seq=\"1\"><updated>%s</updated>"
                + "<status>Running</status><request>r-1</request><agentVersion>manual</agentVersion><bootId>b</bootId></state>'"
                + " \"$(date -u +%FT%TZ)\" > " + drop + "/demo-01/.s && mv " + drop + "/demo-01/.s " + drop + "/demo-01/state_file");
        System.out.println("Ctrl-C stops the demo; run it again to resume, or with --fresh to start clean.");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** Builds two small real test packages into the builtin repository (once). */
    private static void publishSamples(Path builtin) throws java.io.IOException {
        if (Files.exists(builtin.resolve(labdrop.pkg.Manifest.CHECKSUM_FILE))) {
            return;
        }
        Files.createDirectories(builtin);
        for (String test : List.of("dbench", "kernbench")) {
            Path src = Files.createTempDirectory("labdrop-demo-" + test);
            Files.writeString(src.resolve("control"), "job.run_test('" + test + "')\n");
            Path run = Files.writeString(src.resolve(test + ".sh"), "#!/bin/sh\necho \"" + test + " $*: ok\"\n");
            run.toFile().setExecutable(true);
            new labdrop.pkg.PackageBuilder(labdrop.pkg.PackageBuilder.DEFAULT_MTIME, 2).build(src,
                    new labdrop.pkg.PackageFile(labdrop.pkg.PackageType.TEST, test, labdrop.pkg.PackageFormat.BZ2), builtin);
        }
        new labdrop.pkg.Repository(builtin).index();
    }

    private static Request file(Services s, String host, String who, Priority priority, String test) {
        return s.desk().file(new RequestSpec(host, who, List.of(TestSpec.parse(test)), priority, false, null, null, null, null));
    }
}
