package labdrop.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.store.KeyRows;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 simulated SUTs, each with its own key, polling the embedded SSH server over SFTP for two
 * minutes (a new connection per poll, about every ten seconds each, loopback only): no poll may
 * fail. Reports p50/p99 poll latency, the CPU of the server's SSH threads and the heap, in the
 * test output and in target/ssh-load.txt.
 */
class SshLoadIT {
    static final int SUTS = 200;
    static final Duration RUN = Duration.ofMinutes(2);
    static final Duration INTERVAL = Duration.ofSeconds(10);
    @TempDir
    Path dir;
    TestLab lab;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of("LABDROP_SSH_MAX_SESSIONS_PER_KEY", "2"));
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    @Test
    void twoHundredSutsPollForTwoMinutesWithoutAnError() throws Exception {
        List<KeyPair> keys = new ArrayList<>();
        for (int i = 0; i < SUTS; i++) {
            String host = String.format("load-%03d", i);
            lab.s.hosts().add(new HostDraft(host, "default", "", null, false, true, null), "admin");
            KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
            StringBuilder line = new StringBuilder();
            PublicKeyEntry.appendPublicKeyEntry(line, pair.getPublic());
            lab.s.keys().add(KeyRows.HOST, host, line.toString(), host, "admin");
            keys.add(pair);
        }
        PublicKey hostKey = PublicKeyEntry.parsePublicKeyEntry(Files.readString(
                lab.config.ssh().hostKey().resolveSibling("ssh_host_ed25519_key.pub")).strip()).resolvePublicKey(null, null, null);
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new RequiredServerKeyVerifier(hostKey));
        client.start();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger polls = new AtomicInteger();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long processCpuBefore = os.getProcessCpuTime();
        long clientCpuBefore = threadsCpu(threads, "SshClient");
        AtomicLong sutCpu = new AtomicLong();
        long deadline = System.nanoTime() + RUN.toNanos();
        ExecutorService suts = Executors.newFixedThreadPool(SUTS);
        for (int i = 0; i < SUTS; i++) {
            String host = String.format("load-%03d", i);
            KeyPair key = keys.get(i);
            Random random = new Random(i);
            suts.submit(() -> {
                try {
                    Thread.sleep(random.nextInt((int) INTERVAL.toMillis()));
                    while (System.nanoTime() < deadline) {
                        long t0 = System.nanoTime();
                        try {
                            poll(client, host, key);
                            latencies.add((System.nanoTime() - t0) / 1000);
                            polls.incrementAndGet();
                        } catch (Exception e) {
                            errors.add(host + ": " + e);
                        }
                        Thread.sleep(INTERVAL.toMillis() / 2 + random.nextInt((int) INTERVAL.toMillis()));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                sutCpu.addAndGet(threads.getCurrentThreadCpuTime());
                return null;
            });
        }
        suts.shutdown();
        assertThat(suts.awaitTermination(RUN.toSeconds() + 120, TimeUnit.SECONDS)).isTrue();
        long clientCpu = threadsCpu(threads, "SshClient") - clientCpuBefore;
        long serverCpu = os.getProcessCpuTime() - processCpuBefore - sutCpu.get() - clientCpu;
        client.stop();
        Runtime rt = Runtime.getRuntime();
        long heapMib = (rt.totalMemory() - rt.freeMemory()) >> 20;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        String report = String.format("SSH load: %d SUTs, %d s, %d polls (%.1f/s), %d errors; poll latency p50 %.1f ms,"
                        + " p99 %.1f ms; server CPU (the JVM's minus the simulated SUTs' threads) %.0f ms (%.2f ms per poll,"
                        + " %.1f%% of one core);"
                        + " heap in use %d MiB (server and clients share the JVM)%n",
                SUTS, RUN.toSeconds(), polls.get(), polls.get() / (double) RUN.toSeconds(), errors.size(),
                sorted.get(sorted.size() / 2) / 1000.0, sorted.get((int) (sorted.size() * 0.99)) / 1000.0,
                serverCpu / 1e6, serverCpu / 1e6 / Math.max(1, polls.get()),
                serverCpu / 1e7 / RUN.toSeconds(), heapMib);
        System.out.print(report);
        Files.writeString(Path.of("target/ssh-load.txt"), report);
        assertThat(errors).as("failed polls").isEmpty();
        assertThat(polls.get()).as("polls in two minutes").isGreaterThan(SUTS * 8);
    }

    /** One idle poll: log in, list current/, read config/directions, log out. */
    private void poll(SshClient client, String host, KeyPair key) throws Exception {
        try (ClientSession session = client.connect(host, "127.0.0.1", lab.app.sshPort()).verify(Duration.ofSeconds(30))
                .getSession()) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(Duration.ofSeconds(30));
            try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                for (SftpClient.DirEntry ignored : sftp.readDir("current")) {
                    // listing only
                }
                try (var in = sftp.read("config/directions")) {
                    in.readAllBytes();
                }
            }
        }
    }

    /** CPU of the live threads whose name contains {@code part}, in nanoseconds. */
    private static long threadsCpu(ThreadMXBean mx, String part) {
        long total = 0;
        for (var info : mx.dumpAllThreads(false, false)) {
            String name = info.getThreadName();
            if (name.contains(part)) {
                long cpu = mx.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, cpu);
            }
        }
        return total;
    }
}
