package labdrop.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import labdrop.admin.HostDraft;
import labdrop.app.ServerApp;
import labdrop.config.ServerConfig;
import labdrop.store.KeyRows;
import labdrop.testing.Ports;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * The highest idle-poll rate the embedded SSH server sustains with p99 under 250 ms: the server
 * ({@code labdrop server}) runs as a child process; this JVM runs N pollers back to back (a new
 * SFTP login, a listing of current/ and a read of config/directions per poll) for 20 s at each
 * concurrency level, and reads the server's CPU from /proc. Client and server share the 2 cores.
 * Usage: SshRateBench WORK POST_QUANTUM(true|false).
 */
public final class SshRateBench {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        boolean pq = Boolean.parseBoolean(args[1]);
        Path state = work.resolve("server-" + pq);
        int sshPort = Ports.free();
        Map<String, String> env = Map.of("LABDROP_STATE_DIR", state.toString(), "LABDROP_HTTP_HOST", "127.0.0.1",
                "LABDROP_HTTP_PORT", "0", "LABDROP_SSH_HOST", "127.0.0.1", "LABDROP_SSH_PORT", Integer.toString(sshPort),
                "LABDROP_SSH_POST_QUANTUM_KEX", Boolean.toString(pq), "LABDROP_SSH_MAX_SESSIONS_PER_KEY", "64",
                "LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        int hosts = 32;
        List<KeyPair> keys = new ArrayList<>();
        try (ServerApp setup = ServerApp.build(ServerConfig.load(null, env), Clock.systemUTC())) {
            for (int i = 0; i < hosts; i++) {
                String host = String.format("rate-%02d", i);
                setup.services().hosts().add(new HostDraft(host, "default", "", null, false, true, null), "bench");
                KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
                StringBuilder line = new StringBuilder();
                PublicKeyEntry.appendPublicKeyEntry(line, pair.getPublic());
                setup.services().keys().add(KeyRows.HOST, host, line.toString(), host, "bench");
                keys.add(pair);
            }
        }
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "labdrop.cli.Main", "server");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("rate-server-" + pq + ".log").toFile());
        builder.environment().putAll(env);
        Process server = builder.start();
        try {
            for (int i = 0; i < 600 && !Files.exists(state.resolve("ssh_host_ed25519_key.pub")); i++) {
                Thread.sleep(100);
            }
            Thread.sleep(3000);
            PublicKey hostKey = PublicKeyEntry.parsePublicKeyEntry(Files.readString(
                    state.resolve("ssh_host_ed25519_key.pub")).strip()).resolvePublicKey(null, null, null);
            SshClient client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier(new RequiredServerKeyVerifier(hostKey));
            client.start();
            run(client, sshPort, keys, 2, Duration.ofSeconds(10), server.pid());
            System.out.println("| key exchange | concurrent pollers | polls/s | p50 | p99 | server CPU / poll | server CPU |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int concurrency : new int[] {1, 2, 4, 8, 16, 32}) {
                String row = run(client, sshPort, keys, concurrency, Duration.ofSeconds(20), server.pid());
                System.out.println("| " + (pq ? "post-quantum hybrid" : "curve25519") + " | " + row);
            }
            client.stop();
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static String run(SshClient client, int port, List<KeyPair> keys, int concurrency, Duration length,
                              long serverPid) throws Exception {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        long cpu0 = AgentBench.cpuTicks(serverPid);
        long end = System.nanoTime() + length.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        for (int i = 0; i < concurrency; i++) {
            String host = String.format("rate-%02d", i % keys.size());
            KeyPair key = keys.get(i % keys.size());
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try (ClientSession session = client.connect(host, "127.0.0.1", port).verify(Duration.ofSeconds(30))
                            .getSession()) {
                        session.addPublicKeyIdentity(key);
                        session.auth().verify(Duration.ofSeconds(30));
                        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                            sftp.readDir("current").forEach(e -> { });
                            try (var in = sftp.read("config/directions")) {
                                in.readAllBytes();
                            }
                        }
                        latencies.add((System.nanoTime() - t0) / 1000);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(length.toSeconds() + 120, TimeUnit.SECONDS);
        long ticks = AgentBench.cpuTicks(serverPid) - cpu0;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double seconds = length.toMillis() / 1000.0;
        return String.format("%d | %.1f | %s | %s | %.2f ms | %.0f%% of one core |%s", concurrency, sorted.size() / seconds,
                ServerBench.ms(sorted.get(sorted.size() / 2)), ServerBench.ms(sorted.get((int) (sorted.size() * 0.99))),
                ticks * 10.0 / Math.max(1, sorted.size()), ticks * 10.0 / 10.0 / seconds,
                errors.get() == 0 ? "" : " " + errors.get() + " errors |");
    }
}
