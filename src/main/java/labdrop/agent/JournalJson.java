package labdrop.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import labdrop.agent.Journal.Phase;
import labdrop.agent.Journal.TestRecord;

/**
 * {@code journal.json} to and from a {@link Journal}, through Jackson's streaming parser and
 * generator rather than its object mapper: the agent reads its journal on every poll that opens the
 * drop, and the mapper (with the java.time module) is 650 of the classes an idle daemon or a
 * timer's {@code agent --once} would otherwise load (docs/performance.md, "Agent footprint").
 * The format is the one the mapper wrote: an indented object, no null members, times as ISO-8601
 * instants, the phase in lower case; members it does not know are skipped, so a journal written
 * by a newer release still reads.
 */
final class JournalJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JournalJson() {
    }

    static byte[] write(Journal j) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = FACTORY.createGenerator(out).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            string(g, "request", j.request());
            string(g, "phase", j.phase() == null ? null : j.phase().name().toLowerCase(Locale.ROOT));
            instant(g, "started", j.started());
            g.writeNumberField("rebootCount", j.rebootCount());
            g.writeBooleanField("preRebootDone", j.preRebootDone());
            string(g, "rebootFromBootId", j.rebootFromBootId());
            g.writeBooleanField("rebootReissued", j.rebootReissued());
            if (j.testRunning() != null) {
                g.writeNumberField("testRunning", j.testRunning());
            }
            if (j.testPid() != null) {
                g.writeNumberField("testPid", j.testPid());
            }
            instant(g, "testPidStart", j.testPidStart());
            instant(g, "testStarted", j.testStarted());
            instant(g, "testDeadline", j.testDeadline());
            string(g, "problemKind", j.problemKind());
            string(g, "problemMessage", j.problemMessage());
            string(g, "note", j.note());
            g.writeArrayFieldStart("tests");
            for (TestRecord t : j.tests()) {
                writeTest(g, t);
            }
            g.writeEndArray();
            strings(g, "finished", j.finished());
            g.writeNumberField("seq", j.seq());
            string(g, "lastState", j.lastState());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }

    private static void writeTest(JsonGenerator g, TestRecord t) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", t.index());
        string(g, "name", t.name());
        string(g, "outcome", t.outcome());
        if (t.exitCode() != null) {
            g.writeNumberField("exitCode", t.exitCode());
        }
        instant(g, "started", t.started());
        instant(g, "finished", t.finished());
        string(g, "message", t.message());
        strings(g, "logs", t.logs());
        g.writeEndObject();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void instant(JsonGenerator g, String name, Instant value) throws IOException {
        string(g, name, value == null ? null : value.toString());
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** The journal in {@code content}; an IOException names what is wrong with it. */
    static Journal read(byte[] content) throws IOException {
        try (JsonParser p = FACTORY.createParser(content)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, "the journal");
            String request = null;
            Phase phase = null;
            Instant started = null;
            int rebootCount = 0;
            boolean preRebootDone = false;
            String rebootFromBootId = null;
            boolean rebootReissued = false;
            Integer testRunning = null;
            Long testPid = null;
            Instant testPidStart = null;
            Instant testStarted = null;
            Instant testDeadline = null;
            String problemKind = null;
            String problemMessage = null;
            String note = null;
            List<TestRecord> tests = List.of();
            List<String> finished = List.of();
            long seq = 0;
            String lastState = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (name) {
                    case "request" -> request = p.getValueAsString();
                    case "phase" -> phase = phase(p);
                    case "started" -> started = instant(p);
                    case "rebootCount" -> rebootCount = p.getIntValue();
                    case "preRebootDone" -> preRebootDone = p.getBooleanValue();
                    case "rebootFromBootId" -> rebootFromBootId = p.getValueAsString();
                    case "rebootReissued" -> rebootReissued = p.getBooleanValue();
                    case "testRunning" -> testRunning = p.getIntValue();
                    case "testPid" -> testPid = p.getLongValue();
                    case "testPidStart" -> testPidStart = instant(p);
                    case "testStarted" -> testStarted = instant(p);
                    case "testDeadline" -> testDeadline = instant(p);
                    case "problemKind" -> problemKind = p.getValueAsString();
                    case "problemMessage" -> problemMessage = p.getValueAsString();
                    case "note" -> note = p.getValueAsString();
                    case "tests" -> tests = tests(p);
                    case "finished" -> finished = strings(p, "finished");
                    case "seq" -> seq = p.getLongValue();
                    case "lastState" -> lastState = p.getValueAsString();
                    default -> p.skipChildren();
                }
            }
            expect(p, p.currentToken(), JsonToken.END_OBJECT, "the journal");
            return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued,
                    testRunning, testPid, testPidStart, testStarted, testDeadline, problemKind, problemMessage, note,
                    tests, finished, seq, lastState);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static List<TestRecord> tests(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "tests");
        List<TestRecord> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int index = 0;
            String name = null;
            String outcome = null;
            Integer exitCode = null;
            Instant started = null;
            Instant finished = null;
            String message = null;
            List<String> logs = List.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "index" -> index = p.getIntValue();
                    case "name" -> name = p.getValueAsString();
                    case "outcome" -> outcome = p.getValueAsString();
                    case "exitCode" -> exitCode = p.getIntValue();
                    case "started" -> started = instant(p);
                    case "finished" -> finished = instant(p);
                    case "message" -> message = p.getValueAsString();
                    case "logs" -> logs = strings(p, "logs");
                    default -> p.skipChildren();
                }
            }
            out.add(new TestRecord(index, name, outcome, exitCode, started, finished, message, logs));
        }
        expect(p, p.currentToken(), JsonToken.END_ARRAY, "tests");
        return out;
    }

    private static List<String> strings(JsonParser p, String what) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, what);
        List<String> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.VALUE_STRING) {
            out.add(p.getText());
        }
        expect(p, p.currentToken(), JsonToken.END_ARRAY, what);
        return out;
    }

    private static Phase phase(JsonParser p) throws IOException {
        return Phase.valueOf(p.getText().toUpperCase(Locale.ROOT));
    }

    private static Instant instant(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT || p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            // the mapper's other form: seconds since the epoch, with the nanoseconds as the fraction
            return Instant.ofEpochSecond(0).plusNanos(p.getDecimalValue().movePointRight(9).longValueExact());
        }
        return Instant.parse(p.getText());
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken wanted, String what) throws IOException {
        if (actual != wanted) {
            throw new IOException(what + ": expected " + wanted.asString() + " but found "
                    + (actual == null ? "the end" : p.getText()) + " at " + p.currentLocation().offsetDescription());
        }
    }
}
