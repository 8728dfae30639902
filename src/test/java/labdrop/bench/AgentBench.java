package labdrop.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.SmokePackage;
import labdrop.testing.Ports;
import labdrop.transport.OpenSshServer;

/**
 * Idle-poll cost of the agent per transport, with native peers in the same run: the server
 * ({@code labdrop server}) and Debian's sshd are child processes whose CPU is read from
 * /proc (sshd's per-connection children are counted through cutime/cstime when reaped); the
 * agent polls in this JVM, whose own CPU (with rsync and ssh children) is the SUT's cost.
 * Also: agent start time ({@code labdrop agent --once}) and resident memory while idle and
 * while a test runs. Prints Markdown tables. Usage: AgentBench WORK POLLS.
 */
public final class AgentBench {
    private static final long TICK_NANOS = 1_000_000_000L / 100;
    static final String USER = "labdrop-bench";

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int polls = Integer.parseInt(args[1]);
        Path state = work.resolve("server");
        Path repo = state.resolve("packages/builtin");
        SmokePackage.publish(repo, "smoke", 0);
        int port = Ports.free();
        int sshPort = Ports.free();
        Map<String, String> serverEnv = Map.of("LABDROP_STATE_DIR", state.toString(), "LABDROP_HTTP_HOST", "127.0.0.1",
                "LABDROP_HTTP_PORT", Integer.toString(port), "LABDROP_SSH_PORT", Integer.toString(sshPort),
                "LABDROP_SSH_HOST", "127.0.0.1", "LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        Process server = java(serverEnv, work.resolve("server.log"), "server");
        String base = "http://127.0.0.1:" + port;
        awaitHealthy(base);
        run(serverEnv, "host", "add", "bench-01", "--active");
        Path token = work.resolve("doorbell.token");
        run(serverEnv, "host", "token", "bench-01", "--file", token.toString());
        Path drop = state.resolve("drop/bench-01");
        Files.writeString(work.resolve("boot_id"), "bench\n");
        Path key = work.resolve("bench_key");
        OpenSshServer.run(work, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
        run(serverEnv, "host", "key", "add", "bench-01", key + ".pub");
        Path embeddedKnownHosts = work.resolve("embedded_known_hosts");
        Files.writeString(embeddedKnownHosts, "[127.0.0.1]:" + sshPort + " "
                + Files.readString(state.resolve("ssh_host_ed25519_key.pub")));
        try (OpenSshServer sshd = new OpenSshServer(Files.createDirectories(work.resolve("sshd")))) {
            long sshdPid = Long.parseLong(Files.readString(work.resolve("sshd/sshd.pid")).strip());
            System.out.println("| idle poll over | polls | SUT wall p50 | SUT wall p99 | SUT CPU / poll | server CPU / poll |");
            System.out.println("|---|---|---|---|---|---|");
            Map<String, String> env = agentEnv(work, base, token);
            bench("doorbell (HTTP 304), agent", polls * 10, server.pid(), with(env, "LABDROP_DROP_URL", drop.toUri().toString(),
                    "LABDROP_DOORBELL_URL", base + "/api/v1/hosts/bench-01/generation"));
            String tokenText = Files.readString(token).strip();
            peer("doorbell (HTTP 304), curl", polls, server.pid(), List.of("curl", "-s", "-o", "/dev/null",
                    "-H", "Authorization: Bearer " + tokenText, "-H", "If-None-Match: \"g" + generation(base, tokenText) + "\"",
                    base + "/api/v1/hosts/bench-01/generation"));
            bench("file://, agent", polls, -1, with(env, "LABDROP_DROP_URL", drop.toUri().toString()));
            // A drop account whose login shell is /bin/sh, as docs/security.md asks (bench/agent-bench.sh creates it);
            // root's bash runs ~/.bashrc for every rsync, shown by the last row.
            String authority = USER + "@127.0.0.1:" + sshd.port;
            chown(state.resolve("drop/bench-01"));
            Map<String, String> ssh = with(env, "LABDROP_SSH_IDENTITY", sshd.clientKey.toString(),
                    "LABDROP_SSH_KNOWN_HOSTS", sshd.knownHosts.toString());
            bench("sftp:// (OpenSSH sshd), agent", polls, sshdPid, with(ssh, "LABDROP_DROP_URL", "sftp://" + authority + drop + "/"));
            bench("rsync+ssh:// (OpenSSH sshd), agent", polls, sshdPid,
                    with(ssh, "LABDROP_DROP_URL", "rsync+ssh://" + authority + drop + "/"));
            Map<String, String> embedded = with(env, "LABDROP_SSH_IDENTITY", key.toString(),
                    "LABDROP_SSH_KNOWN_HOSTS", embeddedKnownHosts.toString());
            bench("sftp:// embedded SSH server (MINA SSHD), agent", polls, server.pid(),
                    with(embedded, "LABDROP_DROP_URL", "sftp://bench-01@127.0.0.1:" + sshPort + "/"));
            bench("rsync+ssh:// embedded SSH server (MINA SSHD + rsync --server), agent", polls, server.pid(),
                    with(embedded, "LABDROP_DROP_URL", "rsync+ssh://bench-01@127.0.0.1:" + sshPort + "/"));
            Path mirror = Files.createDirectories(work.resolve("peer-mirror"));
            peer("rsync + ssh (OpenSSH sshd), rsync CLI", polls, sshdPid, List.of("rsync", "-rt", "--delete", "-e",
                    "ssh -p " + sshd.port + " -i " + sshd.clientKey + " -o BatchMode=yes -o UserKnownHostsFile="
                            + sshd.knownHosts, "--include=/config/", "--include=/config/*", "--include=/current/",
                    "--include=/current/*.xml", "--exclude=*", USER + "@127.0.0.1:" + drop + "/", mirror + "/"));
            peer("rsync + ssh (OpenSSH sshd) as root, whose ~/.bashrc runs pyenv init, rsync CLI", polls, sshdPid,
                    List.of("rsync", "-rt", "--delete", "-e", "ssh -p " + sshd.port + " -i " + sshd.clientKey
                            + " -o BatchMode=yes -o UserKnownHostsFile=" + sshd.knownHosts, "--include=/config/",
                            "--include=/config/*", "--include=/current/", "--include=/current/*.xml", "--exclude=*",
                            "root@127.0.0.1:" + drop + "/", mirror + "/"));
            // OpenSSH with the authorized_keys line labdrop prints: restrict, rrsync forced into the host folder.
            Path lines = work.resolve("authorized.lines");
            runTo(serverEnv, lines, "host", "keys", "--authorized-keys");
            Files.copy(lines, work.resolve("sshd/authorized_keys"), StandardCopyOption.REPLACE_EXISTING);
            chown(state.resolve("drop/bench-01"));
            peer("rsync + ssh (OpenSSH sshd + rrsync, labdrop host keys --authorized-keys), rsync CLI", polls, sshdPid,
                    List.of("rsync", "-rt", "--delete", "-e", "ssh -p " + sshd.port + " -i " + key
                            + " -o BatchMode=yes -o UserKnownHostsFile=" + sshd.knownHosts, "--include=/config/",
                            "--include=/config/*", "--include=/current/", "--include=/current/*.xml", "--exclude=*",
                            USER + "@127.0.0.1:/", mirror + "/"));
        }
        footprint(work, drop, base, token, serverEnv);
        server.destroy();
        server.waitFor();
    }

    private static Map<String, String> agentEnv(Path work, String base, Path token) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "bench-01");
        env.put("LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", work.resolve("boot_id").toString());
        env.put("LABDROP_DOORBELL_TOKEN_FILE", token.toString());
        env.put("LABDROP_DOORBELL_SAFETY_EVERY", "10000");
        return env;
    }

    private static Map<String, String> with(Map<String, String> env, String... pairs) {
        Map<String, String> out = new HashMap<>(env);
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static void bench(String what, int polls, long serverPid, Map<String, String> env) throws Exception {
        Path work = Files.createTempDirectory("labdrop-agent-bench");
        env = with(env, "LABDROP_WORK_DIR", work.toString());
        Agent agent = new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(1));
        for (int i = 0; i < Math.max(20, polls); i++) {
            agent.poll();
        }
        double idlePerSecond = serverPid < 0 ? 0 : idleRate(serverPid);
        List<Long> wall = new ArrayList<>();
        long selfCpu = cpuTicks(ProcessHandle.current().pid());
        long serverCpu = serverPid < 0 ? 0 : cpuTicks(serverPid);
        long started = System.nanoTime();
        for (int i = 0; i < polls; i++) {
            long t0 = System.nanoTime();
            Agent.Outcome outcome = agent.poll();
            wall.add((System.nanoTime() - t0) / 1000);
            if (outcome != Agent.Outcome.IDLE && outcome != Agent.Outcome.QUIET) {
                throw new IllegalStateException(what + ": poll " + i + " was " + outcome);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        report(what, polls, wall, cpuTicks(ProcessHandle.current().pid()) - selfCpu,
                serverPid < 0 ? Double.NaN : cpuTicks(serverPid) - serverCpu - idlePerSecond * seconds);
    }

    /** The process's CPU ticks per second while nobody polls (timers, watchdog), subtracted from each run. */
    private static double idleRate(long pid) throws Exception {
        long before = cpuTicks(pid);
        Thread.sleep(5000);
        return (cpuTicks(pid) - before) / 5.0;
    }

    private static void chown(Path dir) throws Exception {
        Process p = new ProcessBuilder("chown", "-R", USER, dir.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("chown " + USER + " " + dir + " failed; bench/agent-bench.sh creates the user");
        }
    }

    private static void peer(String what, int polls, long serverPid, List<String> command) throws Exception {
        double idlePerSecond = idleRate(serverPid);
        List<Long> wall = new ArrayList<>();
        long selfCpu = cpuTicks(ProcessHandle.current().pid());
        long serverCpu = cpuTicks(serverPid);
        long started = System.nanoTime();
        for (int i = 0; i < polls; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue());
            }
            wall.add((System.nanoTime() - t0) / 1000);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        report(what, polls, wall, cpuTicks(ProcessHandle.current().pid()) - selfCpu,
                cpuTicks(serverPid) - serverCpu - idlePerSecond * seconds);
    }

    private static void report(String what, int polls, List<Long> wall, long sutTicks, double serverTicks) {
        wall.sort(null);
        System.out.printf("| %s | %d | %s | %s | %.2f ms | %s |%n", what, polls, ServerBench.ms(wall.get(wall.size() / 2)),
                ServerBench.ms(wall.get(Math.min(wall.size() - 1, (int) (wall.size() * 0.99)))),
                sutTicks * TICK_NANOS / 1e6 / polls,
                Double.isNaN(serverTicks) ? "none" : String.format("%.3f ms", serverTicks * TICK_NANOS / 1e6 / polls));
    }

    /** utime + stime + cutime + cstime of a process, in clock ticks (1/100 s). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static long generation(String base, String token) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                + "/api/v1/hosts/bench-01/generation")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return Long.parseLong(body.replaceAll(".*\"generation\":(\\d+).*", "$1"));
    }

    /** Start time of `labdrop agent --once` (an idle poll) and the daemon's memory idle and while a test runs. */
    private static void footprint(Path work, Path drop, String base, Path token, Map<String, String> serverEnv)
            throws Exception {
        Map<String, String> env = with(agentEnv(work, base, token), "LABDROP_DROP_URL", drop.toUri().toString(),
                "LABDROP_WORK_DIR", work.resolve("footprint").toString(), "LABDROP_SCHEDULE_CRON", "0/1 * * * * ?",
                "LABDROP_SCHEDULE_JITTER", "0s", "LABDROP_LOG_PUSH_INTERVAL", "1s");
        String opts = "-Xms8m -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=5000";
        List<Long> starts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            Process p = java(env, work.resolve("once.log"), opts, "agent", "--once");
            if (p.waitFor() != 0) {
                throw new IllegalStateException("agent --once failed: " + Files.readString(work.resolve("once.log")));
            }
            starts.add((System.nanoTime() - t0) / 1000);
        }
        starts.sort(null);
        Process daemon = java(env, work.resolve("daemon.log"), opts, "agent");
        Thread.sleep(8000);
        long idle = rssKib(daemon.pid());
        run(serverEnv, "request", "file", "--host", "bench-01", "--test", "smoke:sleep 6", "--as", "bench");
        long running = 0;
        for (int i = 0; i < 12; i++) {
            Thread.sleep(500);
            running = Math.max(running, rssKib(daemon.pid()));
        }
        daemon.destroy();
        daemon.waitFor();
        System.out.println();
        System.out.println("| agent footprint (JVM " + opts + ") | value |");
        System.out.println("|---|---|");
        System.out.printf("| `labdrop agent --once`, idle poll over file://, wall p50 of 5 | %s |%n", ServerBench.ms(starts.get(2)));
        System.out.printf("| daemon resident memory, idle | %d MiB |%n", idle / 1024);
        System.out.printf("| daemon resident memory, while a test runs (peak of 12 samples) | %d MiB |%n", running / 1024);
    }

    private static Process java(Map<String, String> env, Path log, String... args) throws IOException {
        List<String> options = List.of();
        if (args.length > 0 && args[0].startsWith("-X")) {
            options = List.of(args[0].split(" "));
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        return JavaChild.start(System.getProperty("java.class.path"), options, env, log, args);
    }

    private static void run(Map<String, String> env, String... args) throws Exception {
        Path log = Files.createTempFile("labdrop-bench-cli", ".log");
        Process p = java(env, log, args);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("labdrop " + String.join(" ", args) + ": " + Files.readString(log));
        }
    }

    private static void runTo(Map<String, String> env, Path out, String... args) throws Exception {
        Process p = java(env, out, args);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("labdrop " + String.join(" ", args) + ": " + Files.readString(out));
        }
    }

    static void awaitHealthy(String base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the server did not answer " + base + "/healthz within a minute");
    }
}
