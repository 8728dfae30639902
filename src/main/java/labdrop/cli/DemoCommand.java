package labdrop.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import labdrop.admin.HostDraft;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.AgentDaemon;
import labdrop.agent.AgentLock;
import labdrop.app.ServerApp;
import labdrop.app.Services;
import labdrop.config.ServerConfig;
import labdrop.drop.AtomicFiles;
import labdrop.host.Directions;
import labdrop.pkg.Manifest;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;
import labdrop.request.Job;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.ssh.EmbeddedSshServer;
import labdrop.store.KeyRows;
import labdrop.user.Passwords;
import labdrop.user.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole loop on embedded defaults: server, demo users, hosts, packages and agents.",
                "Starts the server in DIR (H2 store, drop, repositories, Jetty, the SSH server), creates the "
                + "tester 'bob', five hosts and two test packages, files requests that show placement, "
                + "queueing, rejection (owner-only) and holding (Maint), a request for the pool 'sbc' (demo-01..03), "
                + "a job on two of its hosts and a health check, and starts three local agents on a "
                + "5-second schedule: demo-01 over file://, demo-02 over sftp:// and demo-03 over rsync+ssh:// "
                + "(both through the embedded SSH server, with their own keys). Prints the URL and the logins.",
                "A second run resumes (the store, keys and the agents' journals are kept); --fresh starts "
                + "clean. Ctrl-C stops everything."})
final class DemoCommand implements Callable<Integer> {
    /** The host type of the three demo agents' hosts: a pool with a health check. */
    static final String DEMO_TYPE = "sbc";
    @Option(names = "--dir", defaultValue = "labdrop-demo", description = "Demo state folder (default ${DEFAULT-VALUE}).")
    Path dir;
    @Option(names = "--fresh", description = "Delete DIR first and start clean.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        Path state = dir.toAbsolutePath().normalize();
        if (fresh && Files.exists(state)) {
            try (Stream<Path> all = Files.walk(state)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
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
        List<AgentDaemon> agents = new CopyOnWriteArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AgentDaemon agent : agents) {
                try {
                    agent.close();
                } catch (Exception e) {
                    System.err.println("demo: stopping an agent: " + e.getMessage());
                }
            }
        }, "labdrop-demo-agent-shutdown"));
        Path bobPassword = state.resolve("bob-password");
        if (s.hosts().list().isEmpty()) {
            String password = Passwords.random();
            s.accounts().setAccount("bob", Role.TESTER, password.toCharArray());
            Files.deleteIfExists(bobPassword);
            AtomicFiles.writeSecret(bobPassword, password + "\n");
            Files.writeString(config.hostTypesDir().resolve(DEMO_TYPE), Directions.typeDefaultsText()
                    .replaceFirst("(?m)^health_check = $", "health_check = kernbench:--health"));
            s.hosts().add(new HostDraft("demo-01", DEMO_TYPE, "x86_64,file", null, false, true, null), "admin");
            s.hosts().add(new HostDraft("demo-02", DEMO_TYPE, "arm64,sftp", null, false, true, null), "admin");
            s.hosts().add(new HostDraft("demo-03", DEMO_TYPE, "x86_64,rsync", null, false, true, null), "admin");
            s.hosts().add(new HostDraft("demo-04", "default", "riscv64", "alice", true, true, null), "admin");
            s.hosts().add(new HostDraft("demo-05", "default", "x86_64", null, false, false, null), "admin");
            List<Request> filed = List.of(
                    file(s, "demo-01", "bob", Priority.NORMAL, "dbench:-t 60"),
                    file(s, "demo-01", "carol", Priority.HIGH, "kernbench"),
                    file(s, "demo-02", "bob", Priority.NORMAL, "dbench"),
                    file(s, "demo-03", "bob", Priority.NORMAL, "kernbench:--quick"),
                    file(s, "demo-04", "bob", Priority.NORMAL, "dbench"),
                    file(s, "demo-05", "bob", Priority.NORMAL, "dbench"));
            for (Request r : filed) {
                System.out.println(r.id() + " for " + r.host() + ": " + r.state().label()
                        + (r.reason() == null ? "" : " (" + r.reason() + ")"));
            }
            Request pool = s.desk().file(new RequestSpec(null, "bob", List.of(TestSpec.parse("dbench:-t 5"),
                    TestSpec.parse("kernbench")), Priority.NORMAL, false, null, null, null, null, new Pool(DEMO_TYPE, List.of())));
            System.out.println(pool.id() + " for any host of pool " + DEMO_TYPE + ": " + pool.state().label()
                    + (pool.host() == null ? "" : " on " + pool.host()));
            Job job = s.desk().fileJob(new RequestSpec(null, "bob", List.of(TestSpec.parse("dbench")), Priority.NORMAL,
                    false, null, null, null, null, new Pool(DEMO_TYPE, List.of())), 2, false);
            System.out.println(job.id() + " on 2 distinct hosts of pool " + DEMO_TYPE + ": " + String.join(", ",
                    job.members().stream().map(r -> r.id() + " " + r.state().label()).toList()));
            Request check = s.hosts().checkHealth("demo-02", "admin");
            System.out.println(check.id() + " health check of demo-02 (before its queue): " + check.state().label());
        }
        Path drop = app.services().lab().drop().root();
        String packages = "http://127.0.0.1:" + app.httpPort() + "/packages/builtin/";
        agents.add(startAgent(s, state, "demo-01", drop.resolve("demo-01").toUri().toString(), app.httpPort(), Map.of()));
        if (app.sshPort() > 0) {
            Map<String, String> ssh = sshIdentity(s, state, "demo-02", app, config);
            agents.add(startAgent(s, state, "demo-02", "sftp://demo-02@127.0.0.1:" + app.sshPort() + "/", app.httpPort(), ssh));
            if (onPath("rsync") && onPath("ssh")) {
                ssh = sshIdentity(s, state, "demo-03", app, config);
                agents.add(startAgent(s, state, "demo-03", "rsync+ssh://demo-03@127.0.0.1:" + app.sshPort() + "/",
                        app.httpPort(), ssh));
            } else {
                System.out.println("demo-03: rsync or ssh is not installed, so its rsync+ssh:// agent is not started"
                        + " (apt-get install rsync openssh-client)");
            }
        } else {
            System.out.println("demo-02, demo-03: the SSH server is off (ssh.enabled=false), so their agents are not started");
        }
        String web = "http://127.0.0.1:" + app.httpPort() + "/";
        System.out.println();
        System.out.println("labdrop demo running: " + web);
        System.out.println("  log in as 'admin' (password in " + state.resolve("admin-password") + ") or as the tester 'bob'"
                + " (password in " + bobPassword + "); both files are mode 0600");
        System.out.println("  agents: demo-01 file://, demo-02 sftp://, demo-03 rsync+ssh:// (SSH port " + app.sshPort()
                + "), polling every 5 s; work folders in " + state.resolve("agents"));
        System.out.println("  packages: " + packages + "   API: " + web + "api/v1/openapi.yaml");
        System.out.println("In another terminal:");
        System.out.println("  export LABDROP_STATE_DIR=" + state);
        System.out.println("  appliance/labdrop request list                # r-1..r-4 reach Passed within seconds");
        System.out.println("  appliance/labdrop request show r-3           # run by demo-02's agent over sftp");
        System.out.println("  appliance/labdrop request show r-7           # a pool request: whichever " + DEMO_TYPE + " host was free");
        System.out.println("  appliance/labdrop job show j-1               # r-8, r-9 on two distinct hosts");
        System.out.println("  appliance/labdrop host show demo-02          # health: healthy (its health check r-10)");
        System.out.println("  appliance/labdrop host activate demo-05      # places the held request");
        System.out.println("  ls " + drop + "/demo-01/results/r-1/logs/");
        System.out.println("Ctrl-C stops the demo; run it again to resume, or with --fresh to start clean.");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** An agent in this process for {@code host}: its drop URL, the doorbell, a poll every five seconds. */
    private static AgentDaemon startAgent(Services s, Path state, String host, String dropUrl, int httpPort,
                                                        Map<String, String> extra) throws Exception {
        Path work = Files.createDirectories(state.resolve("agents/" + host));
        Path token = work.resolve("doorbell.token");
        if (!Files.exists(token)) {
            AtomicFiles.writeSecret(token, s.doorbell().issueToken(host) + "\n");
        }
        Map<String, String> env = new HashMap<>(extra);
        env.put("LABDROP_HOST", host);
        env.put("LABDROP_DROP_URL", dropUrl);
        env.put("LABDROP_WORK_DIR", work.toString());
        env.put("LABDROP_FETCH_LOCATIONS", "http://127.0.0.1:" + httpPort + "/packages/builtin/");
        env.put("LABDROP_SCHEDULE_CRON", "0/5 * * * * ?");
        env.put("LABDROP_SCHEDULE_JITTER", "1s");
        env.put("LABDROP_DOORBELL_URL", "http://127.0.0.1:" + httpPort + "/api/v1/hosts/" + host + "/generation");
        env.put("LABDROP_DOORBELL_TOKEN_FILE", token.toString());
        env.put("LABDROP_REBOOT_COMMAND", "echo 'demo: a real SUT would reboot here'");
        AgentConfig config = AgentConfig.load(null, env);
        AgentLock.acquire(config.workDir());
        AgentDaemon daemon = new AgentDaemon(
                new Agent(config, Clock.systemUTC(), new SecureRandom()));
        daemon.start();
        return daemon;
    }

    /** The host's own ed25519 key (generated once, registered with the SSH server) and a known_hosts for the server's key. */
    private static Map<String, String> sshIdentity(Services s, Path state, String host, ServerApp app,
                                                   ServerConfig config) throws Exception {
        Path work = Files.createDirectories(state.resolve("agents/" + host));
        Path key = EmbeddedSshServer.keyPair(work.resolve("id_ed25519"), host + "@labdrop-demo");
        String pub = Files.readString(work.resolve("id_ed25519.pub"));
        if (s.keys().list(KeyRows.HOST, host).isEmpty()) {
            s.keys().add(KeyRows.HOST, host, pub, key + ".pub", "demo");
        }
        Path hostKeyPub = config.ssh().hostKey().resolveSibling(config.ssh().hostKey().getFileName() + ".pub");
        Path knownHosts = work.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + app.sshPort() + " " + Files.readString(hostKeyPub));
        return Map.of("LABDROP_SSH_IDENTITY", key.toString(), "LABDROP_SSH_KNOWN_HOSTS", knownHosts.toString());
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    /** Builds two small real test packages into the builtin repository (once). */
    private static void publishSamples(Path builtin) throws IOException {
        if (Files.exists(builtin.resolve(Manifest.CHECKSUM_FILE))) {
            return;
        }
        Files.createDirectories(builtin);
        for (String test : List.of("dbench", "kernbench")) {
            Path src = Files.createTempDirectory("labdrop-demo-" + test);
            Files.writeString(src.resolve("control"), "job.run_test('" + test + "')\n");
            Path run = Files.writeString(src.resolve(test + ".sh"), "#!/bin/sh\necho \"" + test + " $*: ok\"\n");
            run.toFile().setExecutable(true);
            new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2).build(src,
                    new PackageFile(PackageType.TEST, test, PackageFormat.BZ2), builtin);
        }
        new Repository(builtin).index();
    }

    private static Request file(Services s, String host, String who, Priority priority, String test) {
        return s.desk().file(new RequestSpec(host, who, List.of(TestSpec.parse(test)), priority, false, null, null, null, null));
    }
}
