package labdrop.report;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import labdrop.request.Request;
import labdrop.result.CaseOutcome;
import labdrop.result.TestCase;
import labdrop.store.CaseRows;
import labdrop.store.ResultRows;

/**
 * One JUnit XML document for a request or a job, in the dialect Jenkins, GitLab and Maven's
 * report parser read: {@code testsuites}, one {@code testsuite} per test of each request (with
 * the request, host and test as properties and the tail of the test's logs as system-out and
 * system-err), one {@code testcase} per case with its failure, error or skipped element.
 */
public final class JunitExport {
    /** Characters of a test's stdout or stderr attached to its testsuite: the end, where failures are. */
    public static final int LOG_TAIL = 64 * 1024;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** One request's tests and cases. */
    public record Run(Request request, List<ResultRows.TestResult> tests, List<CaseRows.Row> cases) {
    }

    /** The tail of one of a test's logs ({@code logs/1-smoke.stdout}), or null. */
    @FunctionalInterface
    public interface LogTail {
        String tail(Request request, String log);
    }

    private JunitExport() {
    }

    /** The document for {@code runs}, named {@code name}; suites are named by test, or by request and test when several requests. */
    public static byte[] write(String name, List<Run> runs, LogTail logs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            int[] totals = new int[4];
            long totalMillis = 0;
            List<Suite> suites = new ArrayList<>();
            for (Run run : runs) {
                Map<Integer, List<TestCase>> byTest = new HashMap<>();
                run.cases().forEach(c -> byTest.computeIfAbsent(c.testIndex(), k -> new ArrayList<>()).add(c.testCase()));
                Map<String, Integer> seen = new HashMap<>();
                run.tests().forEach(t -> seen.merge(t.name(), 1, Integer::sum));
                for (ResultRows.TestResult t : run.tests()) {
                    String suiteName = (runs.size() > 1 ? run.request().id() + "/" : "") + t.name()
                            + (seen.get(t.name()) > 1 ? " #" + t.index() : "");
                    Suite suite = new Suite(suiteName, run.request(), t, byTest.getOrDefault(t.index(), List.of()));
                    suites.add(suite);
                    for (int i = 0; i < 4; i++) {
                        totals[i] += suite.counts[i];
                    }
                    totalMillis += suite.millis();
                }
            }
            xml.writeStartElement("testsuites");
            xml.writeAttribute("name", name);
            writeCounts(xml, totals);
            xml.writeAttribute("time", seconds(totalMillis));
            for (Suite suite : suites) {
                xml.writeCharacters("\n  ");
                suite.write(xml, logs);
            }
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the JUnit document " + name, e);
        }
        return out.toByteArray();
    }

    private record Suite(String name, Request request, ResultRows.TestResult test, List<TestCase> cases, int[] counts) {
        Suite(String name, Request request, ResultRows.TestResult test, List<TestCase> cases) {
            this(name, request, test, cases, count(cases));
        }

        long millis() {
            return test.started() != null && test.finished() != null
                    ? Duration.between(test.started(), test.finished()).toMillis() : 0;
        }

        void write(XMLStreamWriter xml, LogTail logs) throws XMLStreamException {
            xml.writeStartElement("testsuite");
            xml.writeAttribute("name", name);
            writeCounts(xml, counts);
            xml.writeAttribute("time", seconds(millis()));
            if (test.started() != null) {
                xml.writeAttribute("timestamp", TIMESTAMP.format(test.started()));
            }
            if (request.host() != null) {
                xml.writeAttribute("hostname", request.host());
            }
            xml.writeCharacters("\n    ");
            xml.writeStartElement("properties");
            property(xml, "labdrop.request", request.id());
            property(xml, "labdrop.host", request.host());
            property(xml, "labdrop.test", test.name());
            property(xml, "labdrop.test.index", Integer.toString(test.index()));
            property(xml, "labdrop.test.outcome", test.outcome());
            if (test.exitCode() != null) {
                property(xml, "labdrop.test.exitCode", test.exitCode().toString());
            }
            xml.writeEndElement();
            for (TestCase c : cases) {
                xml.writeCharacters("\n    ");
                xml.writeStartElement("testcase");
                xml.writeAttribute("classname", c.suite());
                xml.writeAttribute("name", c.name());
                xml.writeAttribute("time", seconds(c.durationMillis() == null ? 0 : c.durationMillis()));
                String element = switch (c.outcome()) {
                    case FAIL -> "failure";
                    case ERROR -> "error";
                    case SKIP -> "skipped";
                    case PASS -> null;
                };
                if (element != null) {
                    xml.writeStartElement(element);
                    if (c.message() != null) {
                        xml.writeAttribute("message", firstLine(c.message()));
                    }
                    if (c.outcome() != CaseOutcome.SKIP) {
                        xml.writeAttribute("type", c.outcome().label());
                        if (c.message() != null) {
                            xml.writeCharacters(c.message());
                        }
                    }
                    xml.writeEndElement();
                }
                xml.writeEndElement();
            }
            for (String stream : List.of("stdout", "stderr")) {
                String log = "logs/" + test.index() + "-" + test.name() + "." + stream;
                String tail = test.logs().contains(log) ? logs.tail(request, log) : null;
                if (tail != null && !tail.isEmpty()) {
                    xml.writeCharacters("\n    ");
                    xml.writeStartElement(stream.equals("stdout") ? "system-out" : "system-err");
                    xml.writeCharacters(xmlSafe(tail));
                    xml.writeEndElement();
                }
            }
            xml.writeCharacters("\n  ");
            xml.writeEndElement();
        }
    }

    private static int[] count(List<TestCase> cases) {
        int[] counts = new int[4];
        counts[0] = cases.size();
        for (TestCase c : cases) {
            switch (c.outcome()) {
                case FAIL -> counts[1]++;
                case ERROR -> counts[2]++;
                case SKIP -> counts[3]++;
                default -> {
                }
            }
        }
        return counts;
    }

    private static void writeCounts(XMLStreamWriter xml, int[] counts) throws XMLStreamException {
        xml.writeAttribute("tests", Integer.toString(counts[0]));
        xml.writeAttribute("failures", Integer.toString(counts[1]));
        xml.writeAttribute("errors", Integer.toString(counts[2]));
        xml.writeAttribute("skipped", Integer.toString(counts[3]));
    }

    private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        if (value == null) {
            return;
        }
        xml.writeCharacters("\n      ");
        xml.writeEmptyElement("property");
        xml.writeAttribute("name", name);
        xml.writeAttribute("value", value);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static String firstLine(String message) {
        int cut = message.indexOf('\n');
        return cut < 0 ? message : message.substring(0, cut);
    }

    /** Log text as XML 1.0 allows it: control characters other than tab, newline and return become U+FFFD. */
    static String xmlSafe(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
            out.appendCodePoint(allowed ? c : 0xFFFD);
        });
        return out.toString();
    }
}
