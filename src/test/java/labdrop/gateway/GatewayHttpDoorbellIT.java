package labdrop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.admin.HostDraft;
import labdrop.agent.Agent;
import labdrop.cli.ChildCli;
import labdrop.request.Request;
import labdrop.request.RequestState;
import org.junit.jupiter.api.Test;

/**
 * Every {@link GatewayIT} scenario with the lab's doorbell read over HTTP with the lab's token
 * ({@code labdrop lab token}, {@code server.doorbell-url}), and the gateway's SSH login to the
 * server opened only when something changed: a request filed, a SUT's result to push.
 */
class GatewayHttpDoorbellIT extends GatewayIT {
    @Override
    Map<String, String> labDoorbell(Path gatewayState) throws Exception {
        Path token = gatewayState.resolve("lab.token");
        ChildCli.Result issued = ChildCli.run(lab.config.stateDir(), "lab", "token", "lab-east", "--file", token.toString());
        assertThat(issued.code()).as(issued.out() + issued.err()).isZero();
        assertThat(issued.out()).contains("doorbell token of lab lab-east written to");
        String url = "http://127.0.0.1:" + lab.app.httpPort() + "/api/v1/labs/lab-east/generation";
        return Map.of("LABDROP_SERVER_DOORBELL_URL", url,
                "LABDROP_SERVER_DOORBELL_TOKEN_FILE", token.toString(), "LABDROP_SERVER_LINGER", "1s");
    }

    /** The lab's logins to the server, as the server's SSH audit log records them. */
    long logins() throws IOException {
        return Files.readAllLines(lab.config.ssh().auditLog()).stream().filter(l -> l.contains(" login user=lab-east ")).count();
    }

    /** SSH sessions open on the server (only the gateway logs in to it here). */
    double serverSessions() {
        return lab.s.metrics().registry().get("labdrop.ssh.sessions.open").gauge().value();
    }

    @Test
    void theGatewayLogsInToTheServerOnlyWhenSomethingChanged() throws Exception {
        List<Agent> agents = idleAgents();
        await().atMost(Duration.ofSeconds(10)).alias("the idle gateway closed its login after server.linger")
                .until(() -> serverSessions() == 0);
        long quiet = logins();
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).alias("a quiet lab: no login, the doorbell held")
                .until(() -> logins() == quiet && serverSessions() == 0 && lab.s.doorbell().held() >= 1);

        Request request = file("sut-a", "smoke:pass");
        await().atMost(Duration.ofSeconds(10)).alias("the filed request reached the gateway's drop").until(() ->
                Files.exists(gatewayDrop("sut-a").resolve("current/" + request.id() + ".xml")));
        assertThat(logins()).as("the change opened a login").isGreaterThan(quiet);
        await().atMost(Duration.ofSeconds(10)).until(() -> serverSessions() == 0);
        long placed = logins();

        assertThat(agents.get(0).poll()).isEqualTo(Agent.Outcome.RAN);
        await().atMost(Duration.ofSeconds(20)).alias("the SUT's result, pushed on a login of its own")
                .until(() -> lab.s.desk().find(request.id()).state() == RequestState.PASSED);
        assertThat(logins()).isGreaterThan(placed);
        await().atMost(Duration.ofSeconds(10)).alias("closed again once quiet").until(() -> serverSessions() == 0);
        assertThat(gatewayStatus().out()).contains("doorbell     over HTTP: answering");

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher opened = Pattern.compile("labdrop_gateway_connections_total (\\d+)").matcher(metrics);
        assertThat(opened.find()).as(metrics).isTrue();
        assertThat(Long.parseLong(opened.group(1))).as("the gateway counts the logins the server saw").isEqualTo(logins());
    }

    @Test
    void aRefusedLabTokenIsShownAndTheGatewayKeepsItsLoginAndSyncsEveryTick() throws Exception {
        gateway.close();
        Path wrong = Files.writeString(dir.resolve("wrong.token"), "ldt_not-the-labs-token\n");
        Map<String, String> env = new HashMap<>(gatewayEnv);
        env.put("LABDROP_SERVER_DOORBELL_TOKEN_FILE", wrong.toString());
        config = GatewayConfig.load(null, env);
        gateway = new Gateway(config, Clock.systemUTC());
        gateway.start();

        Request request = file("sut-b", "smoke:pass");
        await().atMost(Duration.ofSeconds(10)).alias("without the doorbell every tick syncs: the request arrives").until(() ->
                Files.exists(gatewayDrop("sut-b").resolve("current/" + request.id() + ".xml")));
        await().atMost(Duration.ofSeconds(10)).alias("the status names the refusal").until(() ->
                String.valueOf(GatewayStatus.read(config.stateDir()).doorbell()).contains("refused the lab's token"));
        ChildCli.Result status = gatewayStatus();
        assertThat(status.code()).as("the syncs reach the server: " + status.out()).isZero();
        assertThat(status.out()).contains("doorbell     over HTTP: not answering:").contains("labdrop lab token");
        long logins = logins();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .alias("the login is kept while the doorbell is refused")
                .until(() -> serverSessions() == 1 && logins() == logins);
    }

    @Test
    void aHostJoiningTheLabAppearsAtTheGatewayWhileItsLoginIsStillOpen() throws Exception {
        gateway.close();
        Map<String, String> env = new HashMap<>(gatewayEnv);
        env.put("LABDROP_SERVER_LINGER", "1h");
        config = GatewayConfig.load(null, env);
        gateway = new Gateway(config, Clock.systemUTC());
        gateway.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.hosts().equals(Set.copyOf(SUTS))
                && GatewayStatus.read(config.stateDir()).doorbell().endsWith("answering"));
        long first = logins();
        // before a doorbell answer that raced the first listing stopped making the gateway log in
        // again, this saw no session (CI, once)
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).alias("the one login is kept for an hour")
                .until(() -> serverSessions() == 1 && logins() == first);

        lab.s.hosts().add(new HostDraft("sut-d", "default", "", "olivia", false, true, null), "admin");
        lab.s.keys().setLabHost("lab-east", "sut-d", true);
        // before the gateway logged in again on such an answer, this failed 4 times in 5
        await().atMost(Duration.ofSeconds(15)).alias("the joined host appears, though the open login saw the lab without it")
                .until(() -> gateway.hosts().contains("sut-d") && Files.isDirectory(gatewayDrop("sut-d").resolve("current")));
    }
}
