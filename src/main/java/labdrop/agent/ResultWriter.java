package labdrop.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.RequestDoc;
import labdrop.drop.xml.ResultDoc;
import labdrop.drop.xml.XmlFormat;

/**
 * The run's results folder: each test's record (its logs, and the agent's own note on it when
 * there is one, {@code logs/<i>-<name>.agent}) and, at the finish, {@code result.xml}.
 */
final class ResultWriter {
    private final RunContext context;
    private final Path results;

    ResultWriter(RunContext context, String request) {
        this.context = context;
        this.results = context.resultsDir(request);
    }

    Path dir() {
        return results;
    }

    Path logs() throws IOException {
        return Files.createDirectories(results.resolve("logs"));
    }

    static String stdout(int index, String name) {
        return "logs/" + index + "-" + name + ".stdout";
    }

    static String stderr(int index, String name) {
        return "logs/" + index + "-" + name + ".stderr";
    }

    /** Test {@code index}'s record: its logs that exist, and {@code message} written as the agent's note. */
    Journal.TestRecord record(int index, String name, String outcome, Integer exitCode, String message, Instant started,
                              Instant finished) throws IOException {
        List<String> logs = new ArrayList<>();
        for (String log : List.of(stdout(index, name), stderr(index, name))) {
            if (Files.exists(results.resolve(log))) {
                logs.add(log);
            }
        }
        if (message != null) {
            String note = "logs/" + index + "-" + name + ".agent";
            Files.writeString(logs().resolve(index + "-" + name + ".agent"), message + "\n", StandardCharsets.UTF_8);
            logs.add(note);
        }
        return new Journal.TestRecord(index, name, outcome, exitCode, started, finished, message, logs);
    }

    /** Writes result.xml once (a repeated finish keeps the first); {@code doc} is null when the request was unreadable. */
    void writeResult(Journal journal, RequestDoc doc) throws IOException {
        Path file = results.resolve(DropLayout.RESULT_FILE);
        if (Files.exists(file)) {
            return;
        }
        Files.createDirectories(results);
        AtomicFiles.write(file, DropXml.write(XmlFormat.RESULT, resultDoc(journal, doc)));
    }

    private ResultDoc resultDoc(Journal journal, RequestDoc doc) throws IOException {
        ResultDoc result = new ResultDoc();
        result.request = journal.request();
        result.host = context.config().host();
        result.started = journal.started();
        result.finished = context.now();
        if (journal.problemKind() != null) {
            String message = journal.problemMessage();
            result.problem = new ResultDoc.Problem(journal.problemKind(),
                    message.length() > 2000 ? message.substring(0, 1997) + "..." : message);
        }
        for (Journal.TestRecord t : journal.tests()) {
            ResultDoc.Test test = new ResultDoc.Test();
            test.index = t.index();
            test.name = t.name();
            test.outcome = t.outcome();
            test.exitCode = t.exitCode();
            test.started = t.started();
            test.finished = t.finished();
            test.logs.addAll(t.logs());
            result.tests.add(test);
        }
        if (doc != null && journal.problemKind() == null) {
            for (int i = journal.tests().size() + 1; i <= doc.tests.size(); i++) {
                if (!journal.hasRecord(i)) {
                    ResultDoc.Test skipped = new ResultDoc.Test();
                    skipped.index = i;
                    skipped.name = doc.tests.get(i - 1).packageName;
                    skipped.outcome = "skipped";
                    result.tests.add(skipped);
                }
            }
        }
        Path sysinfo = results.resolve("sysinfo");
        if (Files.isDirectory(sysinfo)) {
            result.sysinfo = Sysinfo.summary(sysinfo);
        }
        return result;
    }
}
