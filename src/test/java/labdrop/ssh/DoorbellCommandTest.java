package labdrop.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import labdrop.error.BadInputException;
import labdrop.queue.Doorbell;
import org.junit.jupiter.api.Test;

/** {@code labdrop-doorbell WAIT TAG}: the words of the rule or a refusal, and the answer's lines. */
class DoorbellCommandTest {

    @Test
    void aWellFormedPollIsParsedAndAnythingElseRefused() {
        assertThat(DoorbellCommand.parse("labdrop-doorbell 50 -")).isEqualTo(new DoorbellCommand.Asked(Duration.ofSeconds(50), "-"));
        assertThat(DoorbellCommand.parse("labdrop-doorbell 0 0123456789abcdef").tag()).isEqualTo("0123456789abcdef");
        for (String line : new String[] {"labdrop-doorbell 56 -", "labdrop-doorbell 50", "labdrop-doorbell -1 -",
                "labdrop-doorbell 50 ; id", "labdrop-doorbell 50 0123456789ABCDEF", "labdrop-doorbell 50 - extra"}) {
            assertThatThrownBy(() -> DoorbellCommand.parse(line)).as(line).isInstanceOf(BadInputException.class);
        }
    }

    @Test
    void theAnswerListsEveryHostWithItsGenerationAndTokenHash() {
        String text = DoorbellCommand.text(new Doorbell.LabBell(Map.of("sut-a", 3L, "sut-b", 7L),
                Map.of("sut-a", "ab".repeat(32), "sut-b", ""), "0123456789abcdef"));
        assertThat(text.lines()).containsExactlyInAnyOrder("tag 0123456789abcdef", "host sut-a 3 " + "ab".repeat(32),
                "host sut-b 7 -");
    }
}
