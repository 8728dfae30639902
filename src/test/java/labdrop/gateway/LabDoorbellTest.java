package labdrop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway reads the server's lab doorbell answer line by line, and nothing else. */
class LabDoorbellTest {

    @Test
    void anAnswerGivesTheTagAndEachHostsGenerationAndTokenHash() {
        LabDoorbell.Answer answer = LabDoorbell.parse("tag 0123456789abcdef\nhost sut-a 3 " + "ab".repeat(32) + "\nhost sut-b 7 -\n");
        assertThat(answer.tag()).isEqualTo("0123456789abcdef");
        assertThat(answer.generations()).isEqualTo(Map.of("sut-a", 3L, "sut-b", 7L));
        assertThat(answer.tokenHashes()).isEqualTo(Map.of("sut-a", "ab".repeat(32), "sut-b", ""));
    }

    @Test
    void anAnswerWithoutATagOrWithAStrayLineIsRefused() {
        assertThatThrownBy(() -> LabDoorbell.parse("host sut-a 3 -\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LabDoorbell.parse("tag 0123456789abcdef\nrm -rf /\n")).isInstanceOf(IllegalArgumentException.class);
    }
}
