package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import labdrop.agent.SmokePackage;
import labdrop.notify.Receiver;
import labdrop.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications on a cluster: two nodes whose notify routes both run every 100 ms fan out each
 * event once and send each delivery once (each piece of work under its lease in the store), to a
 * real HTTP receiver on loopback.
 */
class ClusterNotifyIT {
    private static final int REQUESTS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private TestCluster cluster;
    private Receiver receiver;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
        receiver = new Receiver().start();
    }

    @AfterEach
    void stop() {
        cluster.close();
        receiver.close();
    }

    @Test
    void twoNodesDeliverEachEventOnceToAWebhook() throws Exception {
        int[] web = {Ports.free(), Ports.free()};
        List<String> nodes = List.of("node-a", "node-b");
        for (int i = 0; i < 2; i++) {
            cluster.start(nodes.get(i), Map.of("LABDROP_HTTP_PORT", Integer.toString(web[i]), "LABDROP_NOTIFY_INTERVAL", "100ms",
                    "LABDROP_NOTIFY_TIMEOUT", "3s"));
        }
        for (String node : nodes) {
            cluster.awaitRunning(node);
        }
        SmokePackage.publish(cluster.builtin(), "smoke", 0);
        assertThat(cluster.cli("node-a", "host", "add", "sut-01", "--active").code()).isZero();
        String token = cluster.cli("node-a", "user", "token", "admin").out().strip();
        JsonNode hook = call(web[0], token, "POST", "/webhooks", "{\"url\":\"" + receiver.url()
                + "\",\"secret\":\"s3cret-for-the-receiver-0123456789\",\"events\":[\"request.finished\"]}");
        assertThat(hook.get("id")).isNotNull();

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            ids.add(call(web[i % 2], token, "POST", "/requests", "{\"host\":\"sut-01\",\"tests\":[\"smoke\"]}").get("id").asText());
        }
        for (int i = 0; i < REQUESTS; i++) {
            call(web[(i + 1) % 2], token, "POST", "/requests/" + ids.get(i) + "/cancel", "{}");
        }
        await("every event delivered").atMost(Duration.ofSeconds(60))
                .until(() -> count("select count(*) from webhook_deliveries where status <> 'DELIVERED'") == 0
                        && count("select count(*) from webhook_deliveries") >= REQUESTS);
        assertThat(count("select count(*) from (select event_id from webhook_deliveries group by event_id"
                + " having count(*) > 1) twice")).as("each event fanned out once").isZero();
        List<String> delivered = new ArrayList<>();
        for (Receiver.Got got : receiver.got) {
            delivered.add(JSON.readTree(got.body()).at("/request/id").asText());
        }
        assertThat(delivered).as("each request's end reached the receiver once").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    private JsonNode call(int port, String token, String method, String path, String body) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1" + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isBetween(200, 299);
        return JSON.readTree(answer.body());
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.databaseUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
