package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.xml.CasesDoc;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.XmlFormat;
import labdrop.result.CaseCollector;
import labdrop.result.CaseLimits;
import labdrop.result.CaseReport;
import labdrop.result.TestCase;

/**
 * The run's per-case results on the SUT: each test's results folder (handed to it as
 * {@code LABDROP_RESULTS_DIR}, kept across a reboot), the cases read from it and from the test's
 * stdout when the test ends ({@code cases/<index>.xml} in the run's folder), and at the finish
 * {@code results/<id>/cases.xml}, the request's cases in one file, written before result.xml.
 */
final class CaseFiles {
    private final RunContext context;
    private final String request;

    CaseFiles(RunContext context, String request) {
        this.context = context;
        this.request = request;
    }

    /** Test {@code index}'s results folder, created. */
    Path resultsDir(int index, String name) throws IOException {
        return Files.createDirectories(context.runDir(request).resolve("test-results").resolve(index + "-" + name));
    }

    /** Reads test {@code index}'s cases (its results folder and {@code stdout}) and keeps them for the finish. */
    CaseReport collect(int index, String name, Path stdout) throws IOException {
        CaseReport report = CaseCollector.collect(resultsDir(index, name), stdout, name);
        CasesDoc doc = new CasesDoc();
        doc.request = request;
        doc.host = context.config().host();
        doc.tests.add(test(index, name, report));
        Path dir = Files.createDirectories(context.runDir(request).resolve("cases"));
        AtomicFiles.write(dir.resolve(index + ".xml"), DropXml.write(XmlFormat.CASES, doc));
        return report;
    }

    /**
     * Writes {@code results/cases.xml} from the tests' kept cases, when any test has some; the
     * request's cap ({@link CaseLimits#MAX_CASES_PER_REQUEST}) leaves out the last tests' cases over it.
     */
    void writeRequestCases(Path results) throws IOException {
        Path dir = context.runDir(request).resolve("cases");
        if (!Files.isDirectory(dir) || Files.exists(results.resolve(DropLayout.CASES_FILE))) {
            return;
        }
        List<CasesDoc.Test> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d+\\.xml")).toList()) {
                tests.addAll(DropXml.read(XmlFormat.CASES, Files.readAllBytes(file), file.toString()).tests);
            }
        }
        tests.sort((a, b) -> Integer.compare(a.index, b.index));
        int room = CaseLimits.MAX_CASES_PER_REQUEST;
        for (CasesDoc.Test test : tests) {
            if (test.cases.size() > room) {
                int over = test.cases.size() - room;
                test.cases = new ArrayList<>(test.cases.subList(0, room));
                test.dropped = (test.dropped == null ? 0 : test.dropped) + over;
                if (test.problems.size() < CaseLimits.MAX_PROBLEMS + 1) {
                    test.problems.add(over + " cases were left out: at most " + CaseLimits.MAX_CASES_PER_REQUEST
                            + " cases are kept per request");
                }
            }
            room -= test.cases.size();
        }
        CasesDoc doc = new CasesDoc();
        doc.request = request;
        doc.host = context.config().host();
        doc.tests.addAll(tests);
        Files.createDirectories(results);
        AtomicFiles.write(results.resolve(DropLayout.CASES_FILE), DropXml.write(XmlFormat.CASES, doc));
    }

    private static CasesDoc.Test test(int index, String name, CaseReport report) {
        CasesDoc.Test test = new CasesDoc.Test();
        test.index = index;
        test.name = name;
        test.dropped = report.dropped() == 0 ? null : report.dropped();
        for (TestCase c : report.cases()) {
            CasesDoc.Case out = new CasesDoc.Case();
            out.suite = c.suite();
            out.name = c.name();
            out.outcome = c.outcome().label();
            out.ms = c.durationMillis();
            out.message = c.message() == null ? "" : c.message();
            test.cases.add(out);
        }
        test.problems.addAll(report.problems());
        return test;
    }
}
