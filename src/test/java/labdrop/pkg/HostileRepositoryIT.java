package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tester's own package repository that attacks the agent's fetcher over real HTTP: it drips
 * its index a byte at a time, stalls after the headers, sends an endless index or a package
 * larger than the request says. Each is given up within its bound, naming the rule.
 */
class HostileRepositoryIT {
    private static final String SHA = "0".repeat(64);
    @TempDir
    Path dir;
    ServerSocket socket;
    Thread acceptor;
    final AtomicLong bytesSent = new AtomicLong();

    @BeforeEach
    void start() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Thread worker = new Thread(() -> serve(client));
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        socket.close();
    }

    /** The hostile repository: what it does depends on the first path segment. */
    private void serve(Socket client) {
        try (client; OutputStream out = client.getOutputStream()) {
            String line = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            String path = line.split(" ")[1];
            String mode = path.split("/")[1];
            boolean index = path.endsWith(Manifest.CHECKSUM_FILE);
            switch (mode) {
                case "drip" -> {
                    out.write(head("Content-Length: 100000"));
                    for (int i = 0; i < 100_000; i++) {
                        out.write('a');
                        out.flush();
                        Thread.sleep(100);
                    }
                }
                case "stall" -> {
                    out.write(head("Content-Length: 1000"));
                    out.flush();
                    Thread.sleep(120_000);
                }
                case "huge" -> endless(out, "Connection: close");
                case "big" -> {
                    if (index) {
                        byte[] body = ("d41d8cd98f00b204e9800998ecf8427e  test-x.tar.bz2\n").getBytes(StandardCharsets.US_ASCII);
                        out.write(head("Content-Length: " + body.length));
                        out.write(body);
                    } else {
                        endless(out, "Connection: close");
                    }
                }
                default -> out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException | InterruptedException e) {
            // the fetcher hung up: the point of every case
        }
    }

    private void endless(OutputStream out, String header) throws IOException {
        out.write(head(header));
        byte[] chunk = "0123456789abcdef0123456789abcdef  test-y.tar.bz2\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        while (true) {
            out.write(chunk);
            bytesSent.addAndGet(chunk.length);
        }
    }

    private static byte[] head(String header) {
        return ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n" + header + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    Fetcher fetcher(Duration deadline, Duration idle, long maxIndex) {
        return new Fetcher(new FetchPolicy(Duration.ofSeconds(5), idle, deadline, maxIndex, 1, Duration.ofMillis(10),
                d -> { }), new Random(1));
    }

    URI repo(String mode) {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/" + mode + "/");
    }

    @Test
    void anIndexDrippedAByteAtATimeIsGivenUpAtTheDeadline() {
        Fetcher fetcher = fetcher(Duration.ofSeconds(2), Duration.ofSeconds(5), 1 << 20);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> fetcher.fetch(
                new Fetcher.Wanted("test-x.tar.bz2", SHA, 10), List.of(repo("drip")), dir))
                .isInstanceOf(FetchFailedException.class).hasMessageContaining("fetch.deadline"));
    }

    @Test
    void aRepositoryThatStallsAfterItsHeadersIsGivenUpAfterTheReadTimeout() {
        Fetcher fetcher = fetcher(Duration.ofMinutes(10), Duration.ofSeconds(1), 1 << 20);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> fetcher.fetch(
                new Fetcher.Wanted("test-x.tar.bz2", SHA, 10), List.of(repo("stall")), dir))
                .hasMessageContaining("sent nothing for 1s (ssh.timeout)"));
    }

    @Test
    void anEndlessIndexIsReadOnlyUpToTheCap() {
        Fetcher fetcher = fetcher(Duration.ofMinutes(10), Duration.ofSeconds(10), 1 << 20);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> fetcher.fetch(
                new Fetcher.Wanted("test-x.tar.bz2", SHA, 10), List.of(repo("huge")), dir))
                .hasMessageContaining("over the cap of 1048576 bytes (fetch.max-index-bytes)"));
        assertThat(bytesSent.get()).as("the fetcher hung up soon after the cap").isLessThan(64L << 20);
    }

    @Test
    void aPackageLargerThanTheRequestSaysIsCutOffAndDeleted() {
        Fetcher fetcher = fetcher(Duration.ofMinutes(10), Duration.ofSeconds(10), 1 << 20);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> fetcher.fetch(
                new Fetcher.Wanted("test-x.tar.bz2", SHA, 1000), List.of(repo("big")), dir))
                .hasMessageContaining("sent more than the request's 1000 bytes"));
        assertThat(dir.resolve("test-x.tar.bz2.part")).doesNotExist();
        assertThat(bytesSent.get()).isLessThan(64L << 20);
    }
}
