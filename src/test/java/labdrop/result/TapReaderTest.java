package labdrop.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class TapReaderTest {
    private static CaseReport read(String tap, boolean mustBeTap) throws IOException {
        CaseReport report = new CaseReport(CaseLimits.MAX_CASES_PER_TEST);
        TapReader.read(new BufferedReader(new StringReader(tap)), "stdout", "t", report, mustBeTap);
        return report;
    }

    @Test
    void tap14WithSubtestsDirectivesAndYaml() throws IOException {
        CaseReport report = read("""
                TAP version 14
                1..4
                # Subtest: net
                    1..2
                    ok 1 - ping
                    not ok 2 - dns
                      ---
                      message: 'lookup failed'
                      severity: fail
                      ...
                not ok 1 - net
                ok 2 - disk # SKIP no disk
                not ok 3 - usb # TODO flaky hub
                some other output
                ok 4
                """, false);
        assertThat(report.problems()).isEmpty();
        assertThat(report.cases()).containsExactly(
                new TestCase("t / net", "ping", CaseOutcome.PASS, null, null),
                new TestCase("t / net", "dns", CaseOutcome.FAIL, null, "lookup failed"),
                new TestCase("t", "disk", CaseOutcome.SKIP, null, "no disk"),
                new TestCase("t", "usb", CaseOutcome.SKIP, null, "TODO: flaky hub"),
                new TestCase("t", "#4", CaseOutcome.PASS, null, null));
    }

    @Test
    void tap13NestedSubtestsNameTheWholePath() throws IOException {
        CaseReport report = read("""
                TAP version 13
                        ok 1 - leaf
                        1..1
                    ok 1 - middle
                    1..1
                ok 1 - top
                1..1
                """, false);
        assertThat(report.cases()).extracting(TestCase::fullName).containsExactly("t / top / middle.leaf");
    }

    @Test
    void aFailingParentWithPassingChildrenCountsAsItsOwnFailure() throws IOException {
        CaseReport report = read("""
                1..1
                    ok 1 - a
                    1..2
                not ok 1 - group
                """, false);
        assertThat(report.cases()).extracting(TestCase::name, TestCase::outcome)
                .containsExactly(tuple("a", CaseOutcome.PASS),
                        tuple("group", CaseOutcome.FAIL));
    }

    @Test
    void bailOutIsAnErrorCaseAndEndsTheStream() throws IOException {
        CaseReport report = read("1..3\nok 1 - a\nBail out! no network\nok 2 - b\n", false);
        assertThat(report.cases()).extracting(TestCase::name, TestCase::outcome)
                .containsExactly(tuple("a", CaseOutcome.PASS),
                        tuple("Bail out!", CaseOutcome.ERROR));
    }

    @Test
    void aPlanNotKeptIsAnErrorCase() throws IOException {
        CaseReport report = read("1..3\nok 1\nok 2\n", false);
        assertThat(report.cases()).last().satisfies(c -> {
            assertThat(c.name()).isEqualTo("plan");
            assertThat(c.outcome()).isEqualTo(CaseOutcome.ERROR);
            assertThat(c.message()).isEqualTo("planned 3 tests but 2 reported");
        });
    }

    @Test
    void stdoutWithoutTapGivesNoCases() throws IOException {
        CaseReport report = read("building...\n  ok 1 - this is not tap at the margin\ndone\n", false);
        assertThat(report.cases()).isEmpty();
        assertThat(report.problems()).isEmpty();
    }

    @Test
    void aTapFileWithoutTapSaysSo() throws IOException {
        CaseReport report = read("hello\n", true);
        assertThat(report.problems()).singleElement().asString().contains("no TAP found");
    }

    @Test
    void malformedTapIsReadAsFarAsItGoesAndBounded() throws IOException {
        CaseReport report = read("TAP version 13\n1..99999999999999999999\nok 99999999999999999999 - huge\n"
                + " ".repeat(200) + "ok 1 - deep\n", false);
        assertThat(report.problems()).anySatisfy(p -> assertThat(p).contains("nest deeper than 32"));
        StringBuilder flood = new StringBuilder("1..20000\n");
        for (int i = 1; i <= 20_000; i++) {
            flood.append("ok ").append(i).append('\n');
        }
        CaseReport big = read(flood.toString(), false);
        assertThat(big.cases()).hasSize(CaseLimits.MAX_CASES_PER_TEST);
        assertThat(big.dropped()).isEqualTo(10_000);
        assertThat(big.problems()).singleElement().asString().contains("10000 more cases were left out");
    }
}
