package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import labdrop.app.TestLab;
import labdrop.host.HostState;
import labdrop.request.Priority;
import labdrop.request.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics and /healthz of a real server after real activity: a placement, a state report, a package download. */
class MetricsIT {
    @TempDir
    Path dir;
    TestLab lab;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.app.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    @Test
    void metricsCountRequestsHostsPlacementsIngestsAndBytesServed() throws Exception {
        assertThat(get("/healthz")).isEqualTo("ok\n");
        lab.addActive("sut-m1");
        lab.addActive("sut-m2");
        Request r = lab.file("sut-m1", "bob", Priority.NORMAL);
        lab.sut("sut-m1").state("Running", r.id(), "1/1 dbench");
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.hosts().show("sut-m1").state() == HostState.RUNNING);
        Path pkg = lab.config.http().repositories().get("builtin").resolve("test-dbench.tar.bz2");
        get("/packages/builtin/test-dbench.tar.bz2");
        // The state counts are cached for half a second per scrape: scrape until they show the change.
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/metrics").contains("labdrop_requests{state=\"Running\"} 1.0"));

        String metrics = get("/metrics");
        assertThat(metrics)
                .contains("labdrop_requests{state=\"Running\"} 1.0")
                .contains("labdrop_requests{state=\"Queued\"} 0.0")
                .contains("labdrop_hosts{state=\"Running\",type=\"default\"} 1.0")
                .contains("labdrop_hosts{state=\"Available\",type=\"default\"} 1.0")
                .contains("labdrop_hosts{state=\"Lost\",type=\"default\"} 0.0")
                .contains("labdrop_queue_length{pool=\"default\"} 0.0")
                .contains("labdrop_placement_seconds_count 1")
                .containsPattern("labdrop_state_ingest_seconds_count [1-9]")
                .containsPattern("labdrop_placement_seconds_bucket\\{le=\"30.0\"} 1")
                .containsPattern("jvm_threads_live_threads [1-9]")
                .containsPattern("hikaricp_connections_active\\{pool=\"labdrop-store\"}")
                .containsPattern("jetty_server_requests_seconds_count\\{method=\"GET\",outcome=\"SUCCESS\",status=\"200\"} [1-9]");
        long served = metrics.lines().filter(l -> l.startsWith("labdrop_package_served_bytes_total"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        assertThat(served).isGreaterThanOrEqualTo(Files.size(pkg));
    }

    static double counter(String metrics, String line) {
        return metrics.lines().filter(l -> l.startsWith(line + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(line.length() + 1))).findFirst().orElse(0);
    }

    @Test
    void theDoorbellPollCountersMoveWithPolls() throws Exception {
        lab.addActive("sut-d1");
        String token = lab.s.doorbell().issueToken("sut-d1");
        URI bell = URI.create("http://127.0.0.1:" + lab.app.httpPort() + "/api/v1/hosts/sut-d1/generation");
        String before = get("/metrics");
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(bell).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        String etag = first.headers().firstValue("ETag").orElseThrow();
        for (int i = 0; i < 3; i++) {
            assertThat(http.send(HttpRequest.newBuilder(bell).header("Authorization", "Bearer " + token)
                    .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(304);
        }
        assertThat(http.send(HttpRequest.newBuilder(bell).header("Authorization", "Bearer ldt_wrong").build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        String after = get("/metrics");
        assertThat(counter(after, "labdrop_polls_total{answer=\"changed\"}")
                - counter(before, "labdrop_polls_total{answer=\"changed\"}")).isEqualTo(1.0);
        assertThat(counter(after, "labdrop_polls_total{answer=\"unchanged\"}")
                - counter(before, "labdrop_polls_total{answer=\"unchanged\"}")).isEqualTo(3.0);
        assertThat(counter(after, "labdrop_polls_total{answer=\"refused\"}")
                - counter(before, "labdrop_polls_total{answer=\"refused\"}")).isEqualTo(1.0);
    }
}
