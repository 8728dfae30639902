package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import labdrop.agent.Journal.Phase;
import labdrop.agent.Journal.TestRecord;
import org.junit.jupiter.api.Test;

class JournalJsonTest {
    /** A journal as the 2026-12 releases wrote it (Jackson's object mapper), mid-run after a reboot. */
    private static final String EARLIER_RELEASE = """
            {
              "request" : "r-17",
              "phase" : "tests",
              "started" : "2026-12-05T10:15:30.123456789Z",
              "rebootCount" : 1,
              "preRebootDone" : true,
              "rebootFromBootId" : "4c1d-boot",
              "rebootReissued" : false,
              "testRunning" : 2,
              "testPid" : 48121,
              "testPidStart" : "2026-12-05T10:16:00Z",
              "testStarted" : "2026-12-05T10:16:00Z",
              "testDeadline" : "2026-12-05T11:16:00Z",
              "tests" : [ {
                "index" : 1,
                "name" : "dbench",
                "outcome" : "pass",
                "exitCode" : 0,
                "started" : "2026-12-05T10:15:31Z",
                "finished" : "2026-12-05T10:15:59.5Z",
                "logs" : [ "1-dbench.log" ]
              } ],
              "finished" : [ "r-15", "r-16" ],
              "seq" : 42,
              "lastState" : "Running r-17 (2/3 ltp)"
            }""";

    @Test
    void readsTheJournalAnEarlierReleaseWroteSoAnUpgradedAgentResumesItsRun() throws IOException {
        Journal j = JournalJson.read(EARLIER_RELEASE.getBytes(StandardCharsets.UTF_8));

        assertThat(j.request()).isEqualTo("r-17");
        assertThat(j.phase()).isEqualTo(Phase.TESTS);
        assertThat(j.started()).isEqualTo(Instant.parse("2026-12-05T10:15:30.123456789Z"));
        assertThat(j.rebootCount()).isEqualTo(1);
        assertThat(j.preRebootDone()).isTrue();
        assertThat(j.rebootFromBootId()).isEqualTo("4c1d-boot");
        assertThat(j.testRunning()).isEqualTo(2);
        assertThat(j.testPid()).isEqualTo(48121L);
        assertThat(j.testDeadline()).isEqualTo(Instant.parse("2026-12-05T11:16:00Z"));
        assertThat(j.problemKind()).isNull();
        assertThat(j.tests()).containsExactly(new TestRecord(1, "dbench", "pass", 0, Instant.parse("2026-12-05T10:15:31Z"),
                Instant.parse("2026-12-05T10:15:59.5Z"), null, List.of("1-dbench.log")));
        assertThat(j.finished()).containsExactly("r-15", "r-16");
        assertThat(j.seq()).isEqualTo(42);
        assertThat(j.lastState()).isEqualTo("Running r-17 (2/3 ltp)");
    }

    @Test
    void whatItWritesReadsBackEqualAndInTheSameFormat() throws IOException {
        Journal before = JournalJson.read(EARLIER_RELEASE.getBytes(StandardCharsets.UTF_8))
                .fail("test", "dbench said \"no space\"\non two lines");

        byte[] written = JournalJson.write(before);

        assertThat(JournalJson.read(written)).isEqualTo(before);
        assertThat(new String(written, StandardCharsets.UTF_8)).contains("\"phase\" : \"tests\"")
                .contains("\"started\" : \"2026-12-05T10:15:30.123456789Z\"").doesNotContain("null");
    }

    @Test
    void aNewSutsEmptyJournalRoundTrips() throws IOException {
        assertThat(JournalJson.read(JournalJson.write(Journal.empty()))).isEqualTo(Journal.empty());
    }

    @Test
    void membersANewerReleaseAddsAreSkipped() throws IOException {
        String newer = EARLIER_RELEASE.replace("\"seq\" : 42,", "\"seq\" : 42, \"shards\" : { \"n\" : [ 1, { \"x\" : null } ] },");

        assertThat(JournalJson.read(newer.getBytes(StandardCharsets.UTF_8)).seq()).isEqualTo(42);
    }

    @Test
    void aTornJournalIsRefusedWithWhereItBreaks() {
        byte[] torn = EARLIER_RELEASE.substring(0, 200).getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> JournalJson.read(torn)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> JournalJson.read("[]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("the journal: expected {");
        assertThatThrownBy(() -> JournalJson.read("{\"phase\" : \"dancing\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("DANCING");
    }
}
