package labdrop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway takes from the server's lab doorbell over HTTP only well-formed tags, host names and token hashes. */
class HttpLabPollTest {

    static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anAnswerGivesTheTagAndEachHostsGenerationAndTokenHash() throws IOException {
        LabDoorbell.Answer answer = HttpLabPoll.parse(json("{\"lab\":\"lab-east\",\"tag\":\"0123456789abcdef\",\"hosts\":["
                + "{\"name\":\"sut-a\",\"generation\":3,\"tokenSha256\":\"" + "ab".repeat(32) + "\"},"
                + "{\"name\":\"sut-b\",\"generation\":7,\"tokenSha256\":null}]}"));
        assertThat(answer.tag()).isEqualTo("0123456789abcdef");
        assertThat(answer.generations()).isEqualTo(Map.of("sut-a", 3L, "sut-b", 7L));
        assertThat(answer.tokenHashes()).isEqualTo(Map.of("sut-a", "ab".repeat(32), "sut-b", ""));
    }

    @Test
    void aHostNameThatIsAPathATokenThatIsNotAHashOrNoTagIsRefused() {
        assertThatThrownBy(() -> HttpLabPoll.parse(json("{\"tag\":\"0123456789abcdef\",\"hosts\":[{\"name\":\"../etc\","
                + "\"generation\":1}]}"))).isInstanceOf(IOException.class).hasMessageContaining("malformed host");
        assertThatThrownBy(() -> HttpLabPoll.parse(json("{\"tag\":\"0123456789abcdef\",\"hosts\":[{\"name\":\"sut-a\","
                + "\"generation\":1,\"tokenSha256\":\"x\\ny\"}]}"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> HttpLabPoll.parse(json("{\"tag\":\"0123456789abcdef\",\"hosts\":[{\"name\":\"sut-a\","
                + "\"generation\":\"many\"}]}"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> HttpLabPoll.parse(json("{\"hosts\":[]}"))).isInstanceOf(IOException.class)
                .hasMessageContaining("tag");
        assertThatThrownBy(() -> HttpLabPoll.parse(json("<html>proxy error</html>"))).isInstanceOf(IOException.class);
    }
}
