package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's HAProxy for a test, run with conf/haproxy.cfg as shipped: its two listening ports and
 * the nodes' addresses replaced by loopback ones; the nodes the test does not run dropped.
 */
public final class TestHaproxy implements AutoCloseable {
    private final Process process;

    private TestHaproxy(Process process) {
        this.process = process;
    }

    /** {@code nodes}: node id → its HTTP and SSH ports. */
    static TestHaproxy start(Path dir, int web, int ssh, Map<String, int[]> nodes) throws Exception {
        String cfg = config(web, ssh, nodes);
        assertThat(cfg).doesNotContain("192.0.2.").contains("bind 127.0.0.1:" + web).contains("bind 127.0.0.1:" + ssh);
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        Process p = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        assertThat(p.waitFor(1, TimeUnit.SECONDS)).as("haproxy keeps running: " + Files.readString(dir.resolve("haproxy.log")))
                .isFalse();
        return new TestHaproxy(p);
    }

    /**
     * conf/haproxy.cfg as shipped, its frontends on loopback ports {@code web} and {@code ssh}, its
     * servers the {@code nodes} given (node id → HTTP and SSH port), the others dropped.
     */
    public static String config(int web, int ssh, Map<String, int[]> nodes) throws IOException {
        String shipped = Files.readString(Path.of("conf/haproxy.cfg"));
        return shipped.lines().filter(line -> !line.matches("\\s*server node-.*") || nodes.keySet().stream()
                .anyMatch(n -> line.contains("server " + n + " "))).map(line -> {
                    String l = line.replace("bind :8080", "bind 127.0.0.1:" + web).replace("bind :2222", "bind 127.0.0.1:" + ssh);
                    for (Map.Entry<String, int[]> node : nodes.entrySet()) {
                        l = l.replaceAll("server " + node.getKey() + " [0-9.]+:8080", "server " + node.getKey() + " 127.0.0.1:"
                                + node.getValue()[0]).replaceAll("server " + node.getKey() + " [0-9.]+:2222", "server "
                                + node.getKey() + " 127.0.0.1:" + node.getValue()[1]);
                    }
                    return l;
                }).collect(Collectors.joining("\n", "", "\n"));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
