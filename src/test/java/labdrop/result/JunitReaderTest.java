package labdrop.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JunitReaderTest {
    private static CaseReport read(String xml) {
        CaseReport report = new CaseReport(CaseLimits.MAX_CASES_PER_TEST);
        JunitReader.read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "junit.xml", report);
        return report;
    }

    @Test
    void readsPassFailErrorAndSkipWithTimesAndMessages() {
        CaseReport report = read("""
                <?xml version="1.0"?>
                <testsuites name="all">
                  <testsuite name="net" tests="4">
                    <testcase classname="net.Ping" name="v4" time="0.125"/>
                    <testcase classname="net.Ping" name="v6" time="1.5"><failure message="no route">trace...</failure></testcase>
                    <testcase name="dns" time="2"><error type="Timeout">lookup timed out
                      after 2 s</error><system-out>noise</system-out></testcase>
                    <testcase name="ipsec"><skipped message="no module"/></testcase>
                  </testsuite>
                </testsuites>""");
        assertThat(report.problems()).isEmpty();
        assertThat(report.cases()).containsExactly(
                new TestCase("net.Ping", "v4", CaseOutcome.PASS, 125L, null),
                new TestCase("net.Ping", "v6", CaseOutcome.FAIL, 1500L, "no route"),
                new TestCase("net", "dns", CaseOutcome.ERROR, 2000L, "lookup timed out\n      after 2 s"),
                new TestCase("net", "ipsec", CaseOutcome.SKIP, null, "no module"));
    }

    @Test
    void nestedSuitesNameTheirCasesAndASingleTestsuiteRootReads() {
        CaseReport report = read("""
                <testsuite name="outer"><testsuite name="inner"><testcase name="a"/></testsuite>
                <testcase name="b"/></testsuite>""");
        assertThat(report.cases()).extracting(TestCase::fullName).containsExactly("inner.a", "outer.b");
    }

    @Test
    void aDoctypeIsRefusedSoNoEntityIsEverExpanded() {
        CaseReport report = read("""
                <?xml version="1.0"?>
                <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
                <testsuites><testsuite name="x"><testcase name="&lol2;"/></testsuite></testsuites>""");
        assertThat(report.cases()).isEmpty();
        assertThat(report.problems()).singleElement().asString().contains("junit.xml", "DOCTYPE");
    }

    @Test
    void aFileThatBreaksOffKeepsTheCasesBeforeTheBreakAndSaysSo() {
        CaseReport report = read("<testsuite name='s'><testcase name='a'/><testcase name='b'><failure>x</fail");
        assertThat(report.cases()).extracting(TestCase::name).containsExactly("a");
        assertThat(report.problems()).singleElement().asString()
                .contains("junit.xml", "not well-formed XML", "the 1 cases read before it are kept");
    }

    @Test
    void anotherRootIsNotTakenForAReport() {
        CaseReport report = read("<project><testcase name='a'/></project>");
        assertThat(report.cases()).isEmpty();
        assertThat(report.problems()).singleElement().asString().contains("not a JUnit report", "<project>");
    }

    @Test
    void casesOverTheCapAreCountedAndReported() {
        StringBuilder xml = new StringBuilder("<testsuite name='big'>");
        for (int i = 0; i < CaseLimits.MAX_CASES_PER_TEST + 5; i++) {
            xml.append("<testcase name='c").append(i).append("'/>");
        }
        CaseReport report = read(xml.append("</testsuite>").toString());
        assertThat(report.cases()).hasSize(CaseLimits.MAX_CASES_PER_TEST);
        assertThat(report.dropped()).isEqualTo(5);
        assertThat(report.problems()).singleElement().asString().contains("5 more cases were left out");
    }

    @Test
    void deepNestingIsRefused() {
        String xml = "<testsuite name='s'>" + "<testsuite>".repeat(40) + "</testsuite>".repeat(40) + "</testsuite>";
        CaseReport report = read(xml);
        assertThat(report.problems()).singleElement().asString().contains("nest deeper than 32");
    }

    @Test
    void longMessagesAndNamesAreCapped() {
        String name = "n".repeat(300);
        CaseReport report = read("<testsuite name='s'><testcase name='" + name + "'><failure message='"
                + "m".repeat(5000) + "&#x9;'/></testcase></testsuite>");
        TestCase c = report.cases().get(0);
        assertThat(c.name()).hasSize(CaseLimits.MAX_NAME).endsWith("...");
        assertThat(c.message()).hasSize(CaseLimits.MAX_MESSAGE);
    }

    @Test
    void timesAreSecondsAndNonsenseIsDropped() {
        assertThat(JunitReader.millis("0.001")).isEqualTo(1L);
        assertThat(JunitReader.millis("1,234.5")).isEqualTo(1_234_500L);
        assertThat(JunitReader.millis("-1")).isNull();
        assertThat(JunitReader.millis("1e400")).isNull();
        assertThat(JunitReader.millis("abc")).isNull();
    }
}
