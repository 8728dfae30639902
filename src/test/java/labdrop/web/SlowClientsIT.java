package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import labdrop.app.TestLab;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that send their bodies slowly, never, or too much of them, against the pages and the API. */
class SlowClientsIT {
    @TempDir
    Path dir;
    TestLab lab;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        base = "http://127.0.0.1:" + lab.app.httpPort();
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    @Test
    void bodiesThatNeverComeHoldNoWorkerThreadAndAreRefusedAtTheDeadline() throws Exception {
        int port = lab.app.httpPort();
        String token = lab.s.accounts().newToken("tess", "ci");
        List<Socket> slow = new ArrayList<>();
        try {
            // more form posts whose bodies never come than Jetty has worker threads (200)
            for (int i = 0; i < 240; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.getOutputStream().write(("POST /login HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\nuser=")
                        .getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            HttpResponse<String> page = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                    HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
            assertThat(page.statusCode()).as("the login page, meanwhile").isEqualTo(200);
            HttpResponse<String> call = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/requests"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"tests\": []}")).build(),
                    HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
            assertThat(call.statusCode()).as("an API call with a body, read and judged meanwhile: " + call.body()).isEqualTo(400);

            Socket first = slow.get(0);
            first.setSoTimeout((int) WholeBody.DEADLINE.plusSeconds(15).toMillis());
            String answer;
            try (InputStream in = first.getInputStream()) {
                answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(answer).startsWith("HTTP/1.1 408").containsIgnoringCase("Connection: close")
                    .contains("did not arrive within 30 s").contains("send the body with the request");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void aBodyOfUndeclaredLengthOverTheCapIsRefusedWithTheCap() throws Exception {
        String token = lab.s.accounts().newToken("tess", "ci");
        byte[] big = new byte[Exchange.MAX_BODY + 4096];
        // a body from a stream goes out chunked: its length is not declared up front
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/requests"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.body()).contains("over the cap of 1048576 bytes").contains("PUT /api/v1/packages/");
    }

    @Test
    void pastTheCapOfBodiesWaitingABodyIsReadByAWorkerThreadAsBefore() throws Exception {
        int port = lab.app.httpPort();
        String token = lab.s.accounts().newToken("tess", "ci");
        double idle = busyThreads();
        int overCap = 40;
        long declared = Exchange.MAX_BODY;
        int count = (int) (WholeBody.MAX_WAITING_BYTES / declared) + overCap;
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.getOutputStream().write(("POST /api/v1/requests HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + declared + "\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            // 64 MiB of declared bodies wait without a thread; the 40 past it each hold a worker thread
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(busyThreads()).isGreaterThanOrEqualTo(idle + overCap - 5));
            assertThat(busyThreads()).as("and no more than those").isLessThan(idle + overCap + 30);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /** Jetty's busy worker threads, as /metrics gives them. */
    double busyThreads() throws Exception {
        String scrape = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return scrape.lines().filter(l -> l.startsWith("jetty_threads_busy")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow();
    }
}
