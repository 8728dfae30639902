package labdrop.result;

import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads the cases of a JUnit XML report in the dialect Jenkins, GitLab and most test runners
 * write: {@code testsuites} (optional) holding {@code testsuite}s (which may nest) holding
 * {@code testcase}s, each passing or holding {@code failure}, {@code error} or {@code skipped}.
 * Streamed, so a large file costs no more memory than its cases; a DOCTYPE is refused (no
 * entities of any kind), nesting is bounded, and a file that breaks off keeps the cases read
 * before the break, with a problem that says so.
 */
public final class JunitReader {
    private static final XMLInputFactory STAX = secureStax();

    private JunitReader() {
    }

    /** Adds the cases of {@code in} (named {@code source} in problems) to {@code report}. */
    public static void read(InputStream in, String source, CaseReport report) {
        int before = report.cases().size() + report.dropped();
        XMLStreamReader xml = null;
        try {
            xml = STAX.createXMLStreamReader(in);
            Deque<String> suites = new ArrayDeque<>();
            int depth = 0;
            boolean rootSeen = false;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.DTD) {
                    report.problem(source + ": refused: it has a DOCTYPE (no DTDs or entities are read);"
                            + " write plain JUnit XML");
                    return;
                }
                if (event == XMLStreamConstants.ENTITY_REFERENCE) {
                    report.problem(source + ": refused: it uses the entity &" + xml.getLocalName()
                            + "; (only XML's own character references are read)");
                    return;
                }
                if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                    if ("testsuite".equals(xml.getLocalName()) && !suites.isEmpty()) {
                        suites.pop();
                    }
                    continue;
                }
                if (event != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                if (++depth > CaseLimits.MAX_DEPTH) {
                    report.problem(source + ": refused past line " + xml.getLocation().getLineNumber()
                            + ": elements nest deeper than " + CaseLimits.MAX_DEPTH + " levels");
                    return;
                }
                String element = xml.getLocalName();
                if (!rootSeen) {
                    rootSeen = true;
                    if (!element.equals("testsuites") && !element.equals("testsuite")) {
                        report.problem(source + ": not a JUnit report (its root is <" + element
                                + ">, not <testsuites> or <testsuite>); skipped");
                        return;
                    }
                }
                if (element.equals("testsuite")) {
                    String name = attribute(xml, "name");
                    suites.push(name != null ? name : suites.isEmpty() ? "" : suites.peek());
                } else if (element.equals("testcase")) {
                    report.add(testcase(xml, suites.isEmpty() ? "" : suites.peek()));
                    depth--;
                }
            }
            if (!rootSeen) {
                report.problem(source + ": empty file; skipped");
            }
        } catch (XMLStreamException e) {
            int kept = report.cases().size() + report.dropped() - before;
            report.problem(source + ": not well-formed XML" + (e.getLocation() != null ? " at line "
                    + e.getLocation().getLineNumber() : "") + ": " + firstLine(e.getMessage()) + "; the " + kept
                    + " cases read before it are kept");
        } finally {
            close(xml);
        }
    }

    /** Reads one {@code testcase} element through its end tag. */
    private static TestCase testcase(XMLStreamReader xml, String suite) throws XMLStreamException {
        String name = attribute(xml, "name");
        String classname = attribute(xml, "classname");
        Long millis = millis(attribute(xml, "time"));
        CaseOutcome outcome = CaseOutcome.PASS;
        String message = null;
        int depth = 1;
        while (depth > 0 && xml.hasNext()) {
            int event = xml.next();
            if (event == XMLStreamConstants.DTD || event == XMLStreamConstants.ENTITY_REFERENCE) {
                throw new XMLStreamException("an entity or DOCTYPE inside a testcase", xml.getLocation());
            }
            if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            } else if (event == XMLStreamConstants.START_ELEMENT) {
                if (++depth > CaseLimits.MAX_DEPTH) {
                    throw new XMLStreamException("elements nest deeper than " + CaseLimits.MAX_DEPTH + " levels",
                            xml.getLocation());
                }
                CaseOutcome found = switch (xml.getLocalName()) {
                    case "failure" -> CaseOutcome.FAIL;
                    case "error" -> CaseOutcome.ERROR;
                    case "skipped" -> CaseOutcome.SKIP;
                    default -> null;
                };
                if (found != null && depth == 2 && rank(found) > rank(outcome)) {
                    outcome = found;
                    String attribute = attribute(xml, "message");
                    String text = text(xml);
                    depth--;
                    message = attribute != null && !attribute.isBlank() ? attribute : text;
                }
            }
        }
        String suiteName = classname != null ? classname : suite;
        return new TestCase(suiteName, name != null ? name : "(unnamed)", outcome, millis, message);
    }

    private static int rank(CaseOutcome o) {
        return switch (o) {
            case PASS -> 0;
            case SKIP -> 1;
            case FAIL -> 2;
            case ERROR -> 3;
        };
    }

    /** The text of the current element (through its end tag), at most the message cap plus a little. */
    private static String text(XMLStreamReader xml) throws XMLStreamException {
        StringBuilder out = new StringBuilder();
        int depth = 1;
        while (depth > 0 && xml.hasNext()) {
            int event = xml.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            } else if ((event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA)
                    && out.length() <= CaseLimits.MAX_MESSAGE) {
                out.append(xml.getText(), 0, Math.min(xml.getText().length(), CaseLimits.MAX_MESSAGE + 1));
            } else if (event == XMLStreamConstants.ENTITY_REFERENCE || event == XMLStreamConstants.DTD) {
                throw new XMLStreamException("an entity inside a failure message", xml.getLocation());
            }
        }
        return out.toString();
    }

    private static String attribute(XMLStreamReader xml, String name) {
        return xml.getAttributeValue(null, name);
    }

    /** JUnit's {@code time} in seconds as milliseconds; null when missing, negative or not a number. */
    static Long millis(String seconds) {
        if (seconds == null || seconds.isBlank() || seconds.length() > 30) {
            return null;
        }
        try {
            BigDecimal value = new BigDecimal(seconds.strip().replace(",", ""));
            if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(366L * 24 * 3600)) > 0) {
                return null;
            }
            return value.movePointRight(3).longValue();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String firstLine(String message) {
        String text = message == null ? "" : message.strip();
        int cut = text.indexOf('\n');
        text = cut < 0 ? text : text.substring(0, cut);
        return text.replaceFirst("^ParseError at \\[row,col\\]:\\[\\d+,\\d+\\]\\s*Message:\\s*", "");
    }

    private static void close(XMLStreamReader xml) {
        if (xml != null) {
            try {
                xml.close();
            } catch (XMLStreamException ignored) {
                // the stream is the caller's to close
            }
        }
    }

    private static XMLInputFactory secureStax() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        return factory;
    }
}
