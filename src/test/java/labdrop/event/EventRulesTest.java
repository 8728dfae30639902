package labdrop.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import labdrop.error.BadInputException;
import org.junit.jupiter.api.Test;

class EventRulesTest {
    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    @Test
    void theSignatureIsHmacSha256OfTheBodyAsReceiversCheckIt() {
        byte[] body = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
        // RFC 4231-style known answer (the HMAC-SHA256 example every library documents).
        assertThat(Signature.of("key", body))
                .isEqualTo("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        assertThat(Signature.verify("key", body, Signature.of("key", body))).isTrue();
        assertThat(Signature.verify("other", body, Signature.of("key", body))).isFalse();
        assertThat(Signature.verify("key", "tampered".getBytes(StandardCharsets.UTF_8), Signature.of("key", body))).isFalse();
        assertThat(Signature.verify("key", body, null)).isFalse();
    }

    @Test
    void retriesDoubleUpToTheLongestAndGiveUpAfterTheirTime() {
        Retries r = new Retries(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofDays(3));
        assertThat(List.of(r.after(1), r.after(2), r.after(3), r.after(7), r.after(8), r.after(1000)))
                .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
                        Duration.ofMinutes(10),
                        Duration.ofMinutes(10), Duration.ofMinutes(10));
        assertThat(r.givenUp(NOW.minus(Duration.ofDays(3)).plusSeconds(1), NOW)).isFalse();
        assertThat(r.givenUp(NOW.minus(Duration.ofDays(3)), NOW)).isTrue();
    }

    @Test
    void aWebhookNeedsAnHttpUrlWithoutCredentialsALongSecretAndEvents() {
        Set<EventKind> all = Set.of(EventKind.values());
        Webhook ok = new Webhook(1, "https://ci.example.com/hook?token=abc", "0123456789abcdef", all, "ada", NOW, 0, null);
        assertThat(ok.shownUrl()).isEqualTo("https://ci.example.com/hook?…");
        assertThat(ok.wants(EventKind.HOST_LOST)).isTrue();
        assertThatThrownBy(() -> new Webhook(1, "file:///etc/passwd", "0123456789abcdef", all, "ada", NOW, 0, null))
                .isInstanceOf(BadInputException.class).hasMessageContaining("must be http:// or https://");
        assertThatThrownBy(() -> new Webhook(1, "http://user:pw@ci/hook", "0123456789abcdef", all, "ada", NOW, 0, null))
                .hasMessageContaining("no user name or password");
        assertThatThrownBy(() -> new Webhook(1, "http://ci/hook", "short", all, "ada", NOW, 0, null))
                .hasMessageContaining("16 to 256 characters");
        assertThatThrownBy(() -> new Webhook(1, "http://ci/hook", "0123456789abcdef", Set.of(), "ada", NOW, 0, null))
                .hasMessageContaining("at least one event: request.finished, job.finished");
        assertThatThrownBy(() -> new Webhook(1, "http://ci/" + "x".repeat(Webhook.MAX_URL), "0123456789abcdef", all, "ada",
                NOW, 0, null)).hasMessageContaining("1 to 2000 characters");
        assertThatThrownBy(() -> EventKind.of("request.done")).hasMessageContaining("choose from request.finished");
    }

    @Test
    void aMailSubscriptionIsOneAddressAndAFewValidHostTypes() {
        MailSubscription s = new MailSubscription("ada", "ada@example.com", true, List.of("board"));
        assertThat(s.wantsRegressionsOn("board")).isTrue();
        assertThat(s.wantsRegressionsOn("default")).isFalse();
        assertThatThrownBy(() -> new MailSubscription("ada", "ada@example.com, eve@example.com", true, List.of()))
                .hasMessageContaining("is not one address");
        assertThatThrownBy(() -> new MailSubscription("ada", "ada@example.com", true, List.of("../etc")))
                .isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> new MailSubscription("ada", "ada@example.com", true,
                IntStream.range(0, 21).mapToObj(i -> "t" + i).toList()))
                .hasMessageContaining("at most 20");
    }

    @Test
    void anEventsDetailIsCappedAndItsOrderKeyIsItsHost() {
        assertThat(Event.detail("x".repeat(5000))).hasSize(Event.MAX_DETAIL);
        assertThat(new Event(1, EventKind.JOB_FINISHED, null, null, 3L, null, NOW).orderKey()).isEmpty();
        assertThat(new Event(1, EventKind.HOST_LOST, "sut-1", null, null, null, NOW).orderKey()).isEqualTo("sut-1");
    }
}
