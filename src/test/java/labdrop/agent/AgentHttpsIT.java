package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.tls.TestCa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server serving HTTPS itself (a CA made by the test with openssl): an agent trusting that CA
 * (http.ca-file) rings the doorbell and fetches its package over HTTPS and runs the request; a
 * client without it is refused; a renewed certificate is served without a restart.
 */
class AgentHttpsIT {
    @TempDir
    Path dir;
    TestLab lab;
    TestCa ca;
    String base;

    @BeforeEach
    void start() throws Exception {
        ca = new TestCa(dir.resolve("ca"));
        lab = new TestLab(dir.resolve("server"), null, Map.of("LABDROP_HTTP_TLS_CERTIFICATE", ca.certificate.toString(),
                "LABDROP_HTTP_TLS_KEY", ca.key.toString()));
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        base = "https://127.0.0.1:" + lab.app.httpPort();
        lab.s.hosts().add(new HostDraft("sut-01", "default", "", "olivia", false, true, null), "admin");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Map<String, String> agentEnv(Path tokenFile) {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", "sut-01");
        env.put("LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-01").toUri().toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
        env.put("LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_DOORBELL_URL", base + "/api/v1/hosts/sut-01/generation");
        env.put("LABDROP_DOORBELL_TOKEN_FILE", tokenFile.toString());
        return env;
    }

    @Test
    void anAgentTrustingTheLabsCaPollsAndFetchesOverHttps() throws Exception {
        Path tokenFile = dir.resolve("doorbell.token");
        Files.writeString(tokenFile, lab.s.doorbell().issueToken("sut-01") + "\n");
        Map<String, String> env = agentEnv(tokenFile);
        env.put("LABDROP_HTTP_CA_FILE", ca.ca.toString());
        Agent agent = new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(5));
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.IDLE);
        assertThat(agent.poll()).as("the doorbell answered over HTTPS").isEqualTo(Agent.Outcome.IDLE);
        assertThat(agent.poll()).as("nothing changed: the drop stays closed").isEqualTo(Agent.Outcome.QUIET);

        Request r = lab.s.desk().file(new RequestSpec("sut-01", "olivia", List.of(TestSpec.parse("smoke")),
                Priority.NORMAL, false, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.poll() == Agent.Outcome.RAN);
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(r.id()).state() == RequestState.PASSED);

        HttpClient plain = HttpClient.newHttpClient();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString())).as("the system's CAs do not know the lab's").isInstanceOf(
                SSLHandshakeException.class);
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
        assertThat(serial(client)).isEqualTo(1001);
        HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        int renewed = ca.issue();
        await().atMost(Duration.ofSeconds(30)).until(() -> serial(HttpClient.newBuilder().sslContext(ca.clientContext())
                .build()) == renewed);
    }

    @Test
    void aPkcs12KeystoreServesTheSameHttps() throws Exception {
        Path p12 = ca.dir.resolve("server.p12");
        Process export = new ProcessBuilder("openssl", "pkcs12", "-export", "-in", ca.certificate.toString(), "-inkey",
                ca.key.toString(), "-out", p12.toString(), "-passout", "pass:s3cret").redirectErrorStream(true).start();
        assertThat(export.waitFor()).as(new String(export.getInputStream().readAllBytes())).isZero();
        lab.close();
        lab = new TestLab(dir.resolve("server-p12"), null, Map.of("LABDROP_HTTP_TLS_KEYSTORE", p12.toString(),
                "LABDROP_HTTP_TLS_KEYSTORE_PASSWORD", "s3cret"));
        base = "https://127.0.0.1:" + lab.app.httpPort();
        assertThat(serial(HttpClient.newBuilder().sslContext(ca.clientContext()).build())).isEqualTo(1001);
    }

    private int serial(HttpClient client) throws Exception {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        SSLSession session = answer.sslSession().orElseThrow();
        return ((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber().intValue();
    }
}
