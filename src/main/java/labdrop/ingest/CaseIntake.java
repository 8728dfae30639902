package labdrop.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import labdrop.drop.SafeRead;
import labdrop.drop.xml.CasesDoc;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.ResultDoc;
import labdrop.drop.xml.XmlFormat;
import labdrop.error.BadInputException;
import labdrop.result.CaseLimits;
import labdrop.result.CaseOutcome;
import labdrop.result.TestCase;
import labdrop.store.CaseRows;

/**
 * The cases of a finished request as the server takes them: {@code results/<id>/cases.xml} read
 * under its caps (size, case count, the schema), each test's cases matched to the result's tests,
 * and one case for every test that reported none. A cases.xml that cannot be used is a problem on
 * the request, never a reason to refuse its result.
 */
record CaseIntake(Map<Integer, List<TestCase>> cases, Map<Integer, Integer> dropped, List<CaseRows.Problem> problems) {
    private static final XMLInputFactory STAX = secureStax();

    /** Reads {@code file} (which may not exist) for the tests of {@code result}. */
    static CaseIntake read(Path dropRoot, Path file, String source, ResultDoc result) throws IOException {
        Map<Integer, List<TestCase>> cases = new HashMap<>();
        Map<Integer, Integer> dropped = new HashMap<>();
        List<CaseRows.Problem> problems = new ArrayList<>();
        Optional<CasesDoc> doc = Optional.empty();
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                byte[] bytes = SafeRead.read(dropRoot, file, CaseLimits.MAX_CASES_FILE_BYTES);
                countCases(bytes, source);
                doc = Optional.of(DropXml.read(XmlFormat.CASES, bytes, source));
            } catch (BadInputException e) {
                problems.add(new CaseRows.Problem(null, CaseLimits.cap("refused: " + e.getMessage()
                        + "; each test counts as one case", CaseLimits.MAX_MESSAGE)));
            }
        }
        if (doc.isPresent() && (!doc.get().request.equals(result.request) || !doc.get().host.equals(result.host))) {
            problems.add(new CaseRows.Problem(null, source + " names request '" + doc.get().request + "' of host '"
                    + doc.get().host + "'; it must name its own; ignored"));
            doc = Optional.empty();
        }
        Map<Integer, ResultDoc.Test> tests = new HashMap<>();
        result.tests.forEach(t -> tests.put(t.index, t));
        for (CasesDoc.Test test : doc.map(d -> d.tests).orElse(List.of())) {
            ResultDoc.Test match = tests.get(test.index);
            if (match == null || !match.name.equals(test.name) || cases.containsKey(test.index)) {
                problems.add(new CaseRows.Problem(null, source + ": test " + test.index + " (" + test.name
                        + ") is not a test of the result, or is named twice; its cases are ignored"));
                continue;
            }
            List<TestCase> list = new ArrayList<>(test.cases.size());
            for (CasesDoc.Case c : test.cases) {
                list.add(new TestCase(c.suite, c.name, CaseOutcome.of(c.outcome).orElse(CaseOutcome.ERROR), c.ms,
                        c.message));
            }
            cases.put(test.index, list);
            if (test.dropped != null && test.dropped > 0) {
                dropped.put(test.index, test.dropped);
            }
            test.problems.forEach(p -> problems.add(new CaseRows.Problem(test.index, CaseLimits.cap(p, CaseLimits.MAX_MESSAGE))));
        }
        for (ResultDoc.Test test : result.tests) {
            if (!cases.containsKey(test.index) || cases.get(test.index).isEmpty()) {
                Long ms = test.started != null && test.finished != null
                        ? Duration.between(test.started, test.finished).toMillis() : null;
                cases.put(test.index, List.of(new TestCase(test.name, test.name, CaseOutcome.ofTest(test.outcome),
                        ms, null)));
            }
        }
        return new CaseIntake(cases, dropped, problems);
    }

    /** Refuses a cases.xml with more than the request's cap of cases before it is bound. */
    private static void countCases(byte[] bytes, String source) {
        XMLStreamReader xml = null;
        try {
            xml = STAX.createXMLStreamReader(new ByteArrayInputStream(bytes));
            int count = 0;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.DTD) {
                    throw new BadInputException(source + " has a DOCTYPE; labdrop files never carry one");
                }
                if (event == XMLStreamConstants.START_ELEMENT && xml.getLocalName().equals("case")
                        && ++count > CaseLimits.MAX_CASES_PER_REQUEST) {
                    throw new BadInputException(source + " holds more than " + CaseLimits.MAX_CASES_PER_REQUEST
                            + " cases, the cap per request; the agent keeps to it (upgrade it), and a test should"
                            + " report fewer, coarser cases");
                }
            }
        } catch (XMLStreamException e) {
            throw new BadInputException(source + ": not well-formed XML: " + e.getMessage().replaceAll("\\s+", " "));
        } finally {
            if (xml != null) {
                try {
                    xml.close();
                } catch (XMLStreamException ignored) {
                    // a reader over a byte array
                }
            }
        }
    }

    private static XMLInputFactory secureStax() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        return factory;
    }
}
