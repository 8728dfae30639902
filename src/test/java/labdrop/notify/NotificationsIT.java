package labdrop.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import labdrop.account.Accounts;
import labdrop.app.TestLab;
import labdrop.event.Delivery;
import labdrop.event.EventKind;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks against a real HTTP receiver on a loopback port and mail through a real SMTP server
 * (GreenMail): bodies signed as openssl computes HMAC-SHA256; a receiver that answers 503 and then
 * is down, across a restart of the server, gets every event once it is back, in order per host.
 */
class NotificationsIT {
    static final String SECRET = "s3cret-for-the-receiver-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> FAST = Map.of("LABDROP_NOTIFY_INTERVAL", "200ms", "LABDROP_NOTIFY_RETRY_FIRST", "200ms",
            "LABDROP_NOTIFY_RETRY_LONGEST", "1s", "LABDROP_NOTIFY_TIMEOUT", "3s");
    @TempDir
    Path dir;
    TestLab lab;
    Receiver receiver;
    GreenMail smtp;

    @AfterEach
    void stop() {
        if (lab != null) {
            lab.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    TestLab startLab(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(FAST);
        env.putAll(extra);
        return new TestLab(dir.resolve("state"), null, env);
    }

    Request run(String host, String requester, String test, Map<String, String> cases) throws Exception {
        Request r = lab.s.desk().file(new RequestSpec(host, requester, List.of(TestSpec.parse(test)), Priority.NORMAL,
                false, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(r.id()).state() == RequestState.PLACED);
        lab.sut(host).completeWithCases(r.id(), test, cases);
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(r.id()).state().isFinal());
        return lab.s.desk().find(r.id());
    }

    static String openssl(byte[] body) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-hmac", SECRET).redirectErrorStream(true).start();
        p.getOutputStream().write(body);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return "sha256=" + out.substring(out.lastIndexOf(' ') + 1);
    }

    /** Each received body as JSON, after checking its signature with openssl. */
    List<JsonNode> verified() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Receiver.Got g : receiver.got) {
            assertThat(g.signature()).as("signature of delivery " + g.delivery()).isEqualTo(openssl(g.body()));
            JsonNode body = JSON.readTree(g.body());
            assertThat(body.get("event").asText()).isEqualTo(g.event());
            out.add(body);
        }
        return out;
    }

    @Test
    void signedWebhooksReachADownReceiverOnceItIsBackInOrderPerHostAcrossARestart() throws Exception {
        receiver = new Receiver().start();
        lab = startLab(Map.of());
        lab.addActive("sut-1");
        lab.addActive("sut-2");
        long hook = lab.s.notifications().add(receiver.url(), SECRET, Set.of(EventKind.values()), Accounts.FIRST_ADMIN).id();

        Request first = run("sut-1", "tess", "dbench", Map.of("a", "pass"));
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.got.size() == 1);
        JsonNode body = verified().get(0);
        assertThat(body.get("event").asText()).isEqualTo("request.finished");
        assertThat(body.at("/request/id").asText()).isEqualTo(first.id());
        assertThat(body.at("/request/state").asText()).isEqualTo("Passed");
        assertThat(body.at("/request/tests/0/outcome").asText()).isEqualTo("pass");
        assertThat(body.at("/host/name").asText()).isEqualTo("sut-1");
        assertThat(body.at("/request/junit").asText()).isEqualTo("/api/v1/requests/" + first.id() + "/junit.xml");

        // The receiver fails (503), then is down altogether; the lab goes on.
        receiver.answer = 503;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.add("sut-1 " + run("sut-1", "tess", "dbench", Map.of("a", i == 1 ? "fail" : "pass")).id());
            expected.add("sut-2 " + run("sut-2", "tess", "dbench", Map.of("a", "pass")).id());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.notifications().find(hook, 10).webhook().failures() > 0);
        receiver.stop();
        lab.s.hosts().maint("sut-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.notifications().find(hook, 0).pending() >= 8);
        Notifications.WebhookView waiting = lab.s.notifications().find(hook, 100);
        assertThat(waiting.pending()).as("r-2…r-7, one new regression, fixed is no event, sut-2 to Maint").isGreaterThanOrEqualTo(8);
        assertThat(waiting.recent()).anySatisfy(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
            assertThat(d.lastError()).isNotBlank();
            assertThat(d.nextAt()).isNotNull();
        });

        // The server restarts while the receiver is still down; then the receiver comes back.
        lab.close();
        lab = startLab(Map.of());
        Thread.sleep(1000);
        receiver.got.clear();
        receiver.answer = 200;
        receiver.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.notifications().find(hook, 0).pending() == 0);
        List<JsonNode> bodies = verified();
        Map<String, List<String>> perHost = new LinkedHashMap<>();
        List<String> finished = new ArrayList<>();
        for (JsonNode b : bodies) {
            String host = b.at("/host/name").asText();
            String what = b.get("event").asText() + (b.has("request") ? " " + b.at("/request/id").asText() : "");
            List<String> seen = perHost.computeIfAbsent(host, h -> new ArrayList<>());
            if (!seen.contains(what)) {
                seen.add(what);
            }
            if (what.startsWith("request.finished")) {
                finished.add(host + " " + b.at("/request/id").asText());
            }
        }
        assertThat(finished).as("every finished request, nothing lost").containsAll(expected);
        assertThat(perHost.get("sut-1")).as("in order on sut-1: the new failure's regression after its request")
                .containsExactly("request.finished " + expected.get(0).substring(6),
                        "request.finished " + expected.get(2).substring(6),
                        "regression.new " + expected.get(2).substring(6),
                        "request.finished " + expected.get(4).substring(6));
        assertThat(perHost.get("sut-2")).as("in order on sut-2, Maint last")
                .containsExactly("request.finished " + expected.get(1).substring(6),
                        "request.finished " + expected.get(3).substring(6),
                        "request.finished " + expected.get(5).substring(6), "host.maint");
        JsonNode regression = bodies.stream().filter(b -> b.get("event").asText().equals("regression.new")).findFirst().orElseThrow();
        assertThat(regression.at("/newFailures/0/case").asText()).isEqualTo("a");
        assertThat(regression.at("/newFailures/0/test").asText()).isEqualTo("dbench");
        assertThat(lab.s.notifications().find(hook, 100).recent()).allSatisfy(d ->
                assertThat(d.status()).isEqualTo(Delivery.Status.DELIVERED));
    }

    static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aJobTellsItsEndOnceAndMailReachesARealSmtpServer() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.setUser("labdrop@lab.example", "mailer", "mail-password");
        smtp.start();
        receiver = new Receiver().start();
        lab = startLab(Map.of("LABDROP_MAIL_HOST", "127.0.0.1",
                "LABDROP_MAIL_PORT", Integer.toString(smtp.getSmtp().getPort()), "LABDROP_MAIL_SECURITY", "none",
                "LABDROP_MAIL_USER", "mailer", "LABDROP_MAIL_PASSWORD", "mail-password",
                "LABDROP_MAIL_FROM", "labdrop@lab.example"));
        lab.addTyped("board-a", "board", "", null, false);
        lab.addTyped("board-b", "board", "", null, false);
        lab.s.notifications().add(receiver.url(), SECRET, Set.of(EventKind.JOB_FINISHED), Accounts.FIRST_ADMIN);
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-123".toCharArray());
        lab.s.accounts().setAccount("rita", Role.TESTER, "rita-password-123".toCharArray());
        lab.s.notifications().subscribe("tess", "tess@example.com", true, List.of());
        lab.s.notifications().subscribe("rita", "rita@example.com", false, List.of("board"));
        Request passed = run("board-a", "tess", "dbench", Map.of("boot", "pass"));

        Request failed = run("board-a", "tess", "dbench", Map.of("boot", "fail"));
        await().atMost(Duration.ofSeconds(15)).until(() -> smtp.getReceivedMessages().length == 3);
        Map<String, List<String>> subjects = new HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            subjects.computeIfAbsent(m.getAllRecipients()[0].toString(), k -> new ArrayList<>()).add(m.getSubject());
            assertThat(m.getFrom()[0].toString()).isEqualTo("labdrop@lab.example");
        }
        assertThat(subjects.get("tess@example.com")).containsExactlyInAnyOrder(
                "[labdrop] " + passed.id() + " Passed on board-a", "[labdrop] " + failed.id() + " Failed on board-a");
        assertThat(subjects.get("rita@example.com")).containsExactly("[labdrop] new failures in " + failed.id() + " on board-a");
        assertThat(subjects.values().stream().mapToInt(List::size).sum()).isEqualTo(3);

        // A job of two hosts: one job.finished for the webhook and one mail for its requester, not one per member.
        var job = lab.s.desk().fileJob(new RequestSpec(null, "tess", List.of(TestSpec.parse("dbench")), Priority.NORMAL,
                false, null, null, null, null, new Pool("board", List.of())), 2, false);
        for (Request member : job.members()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(member.id()).state() == RequestState.PLACED);
            lab.sut(lab.s.desk().find(member.id()).host()).completeWithCases(member.id(), "dbench", Map.of("boot", "pass"));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.got.size() == 1
                && smtp.getReceivedMessages().length >= 4);
        Thread.sleep(1500);
        assertThat(receiver.got).hasSize(1);
        JsonNode body = JSON.readTree(receiver.got.get(0).body());
        assertThat(body.at("/job/id").asText()).isEqualTo(job.id());
        assertThat(body.at("/job/requests")).hasSize(2);
        MimeMessage[] all = smtp.getReceivedMessages();
        assertThat(all).hasSize(4);
        MimeMessage jobMail = Arrays.stream(all).filter(m -> subject(m).contains(job.id())).findFirst().orElseThrow();
        assertThat(subject(jobMail)).isEqualTo("[labdrop] " + job.id() + " " + body.at("/job/state").asText());
        assertThat(jobMail.getAllRecipients()[0].toString()).isEqualTo("tess@example.com");
        assertThat(((String) jobMail.getContent())).contains(job.id()).contains("board-a").contains("board-b");
        MimeMessage regressionMail = Arrays.stream(all).filter(m -> subject(m).startsWith("[labdrop] new failures"))
                .findFirst().orElseThrow();
        assertThat((String) regressionMail.getContent()).contains("dbench: s.boot").contains("/requests/" + failed.id());
    }

    /** Runs openssl with {@code args} in {@code dir}; fails the test when it does. */
    static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    /** A CA (ca.pem) and a server certificate for 127.0.0.1 it signed, as a PKCS12 keystore (server.p12, password "changeit"). */
    static Path serverCertificate(Path dir, String name) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        openssl(d, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=" + name + " CA", "-keyout", "ca.key", "-out", "ca.pem");
        openssl(d, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", "server.key", "-out", "server.csr");
        Files.writeString(d.resolve("san.ext"), "subjectAltName = IP:127.0.0.1\n");
        openssl(d, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "san.ext", "-out", "server.pem");
        openssl(d, "pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-name", "greenmail",
                "-passout", "pass:changeit", "-out", "server.p12");
        return d;
    }

    @Test
    void mailGoesOverSmtpsOnlyToAServerTheConfiguredCaVouchesFor() throws Exception {
        Path good = serverCertificate(dir, "mail-ca");
        Path other = serverCertificate(dir, "other-ca");
        // GreenMail's SMTPS reads its key store once per JVM, from these properties.
        System.setProperty("greenmail.tls.keystore.file", good.resolve("server.p12").toString());
        System.setProperty("greenmail.tls.keystore.password", "changeit");
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort());
        smtp.setUser("labdrop@lab.example", "mailer", "mail-password");
        smtp.start();
        Map<String, String> mail = new HashMap<>(Map.of("LABDROP_MAIL_HOST", "127.0.0.1",
                "LABDROP_MAIL_PORT", Integer.toString(smtp.getSmtps().getPort()), "LABDROP_MAIL_SECURITY", "tls",
                "LABDROP_MAIL_USER", "mailer", "LABDROP_MAIL_PASSWORD", "mail-password",
                "LABDROP_MAIL_FROM", "labdrop@lab.example"));
        mail.put("LABDROP_MAIL_CA_FILE", other.resolve("ca.pem").toString());
        lab = startLab(mail);
        lab.addActive("sut-m");
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-123".toCharArray());
        lab.s.notifications().subscribe("tess", "tess@example.com", true, List.of());
        Request passed = run("sut-m", "tess", "dbench", Map.of("boot", "pass"));

        // A CA that did not sign the server's certificate: nothing is sent, the mail waits with the reason.
        // (GreenMail's handler throws on the refused handshake in its own thread: that is the refusal, not a failure.)
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(15)).until(() -> lab.s.lab().store().read(h -> h.createQuery(
                "select last_error from mail_outbox where status = 'PENDING' and last_error is not null").mapTo(String.class).findFirst()).isPresent());
        String why = lab.s.lab().store().read(h -> h.createQuery("select last_error from mail_outbox")
                .mapTo(String.class).one());
        assertThat(why).containsIgnoringCase("certificat");
        assertThat(smtp.getReceivedMessages()).isEmpty();

        // With the CA that signed it, the waiting mail goes out over SMTPS with AUTH after a restart.
        lab.close();
        mail.put("LABDROP_MAIL_CA_FILE", good.resolve("ca.pem").toString());
        lab = startLab(mail);
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(15)).until(() -> smtp.getReceivedMessages().length == 1);
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[labdrop] " + passed.id() + " Passed on sut-m");
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo("tess@example.com");
    }

}
