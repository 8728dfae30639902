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
                "and starts a local agent for demo-01 over file:// (doorbell, 5-second schedule) that runs",
                "them. A second run resumes (the store and the agent's journal are kept); --fresh starts",
                "clean. Ctrl-C stops everything."})
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
        labdrop.agent.AgentDaemon[] agents = new labdrop.agent.AgentDaemon[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (agents[0] != null) {
                try {
                    agents[0].close();
                } catch (Exception e) {
                    System.err.println("demo: stopping the agent: " + e.getMessage());
                }
            }
        }, "labdrop-demo-agent-shutdown"));
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
        agents[0] = startAgent(s, state, drop, app.httpPort());
        System.out.println();
        System.out.println("labdrop demo running. Drop: " + drop);
        System.out.println("Packages: http://127.0.0.1:" + app.httpPort() + "/packages/builtin/");
        System.out.println("Login: user 'admin', password in " + state.resolve("admin-password") + " (mode 0600)");
        System.out.println("In another terminal:");
        System.out.println("  export LABDROP_STATE_DIR=" + state);
        System.out.println("  appliance/labdrop host list");
        System.out.println("  appliance/labdrop request list");
        System.out.println("  appliance/labdrop host activate demo-03      # places the held request");
        System.out.println("  appliance/labdrop request show r-1           # run by demo-01's agent: Passed, with its log");
        System.out.println("  ls " + drop + "/demo-01/results/r-1/logs/");
        System.out.println("demo-01's agent: work folder " + state.resolve("agents/demo-01") + ", log in the output above.");
        System.out.println("Ctrl-C stops the demo; run it again to resume, or with --fresh to start clean.");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** demo-01's agent: this process, file:// drop, the doorbell, a poll every five seconds. */
    private static labdrop.agent.AgentDaemon startAgent(Services s, Path state, Path drop, int httpPort) throws Exception {
        Path work = Files.createDirectories(state.resolve("agents/demo-01"));
        Path token = work.resolve("doorbell.token");
        if (!Files.exists(token)) {
            Files.writeString(token, s.doorbell().issueToken("demo-01") + "\n");
        }
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "demo-01");
        env.put("LABDROP_DROP_URL", drop.resolve("demo-01").toUri().toString());
        env.put("LABDROP_WORK_DIR", work.toString());
        env.put("LABDROP_FETCH_LOCATIONS", "http://127.0.0.1:" + httpPort + "/packages/builtin/");
        env.put("LABDROP_SCHEDULE_CRON", "0/5 * * * * ?");
        env.put("LABDROP_SCHEDULE_JITTER", "1s");
        env.put("LABDROP_DOORBELL_URL", "http://127.0.0.1:" + httpPort + "/api/v1/hosts/demo-01/generation");
        env.put("LABDROP_DOORBELL_TOKEN_FILE", token.toString());
        env.put("LABDROP_REBOOT_COMMAND", "echo 'demo: a real SUT would reboot here'");
        labdrop.agent.AgentConfig config = labdrop.agent.AgentConfig.load(null, env);
        labdrop.agent.AgentLock.acquire(config.workDir());
        labdrop.agent.AgentDaemon daemon = new labdrop.agent.AgentDaemon(
                new labdrop.agent.Agent(config, Clock.systemUTC(), new java.security.SecureRandom()));
        daemon.start();
        return daemon;
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
