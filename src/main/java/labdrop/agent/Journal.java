package labdrop.agent;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import labdrop.drop.AtomicFiles;

/**
 * The agent's run journal ({@code <work.dir>/journal.json}), rewritten atomically before every
 * step: the request being run, its phase, the test that started, reboots and the boot id before
 * the last one, the tests already finished, and the state sequence number. After a kill -9 or a
 * reboot the next poll reads it and resumes; requests that ran to the end are remembered, so a
 * request never runs twice.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
final class Journal {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int REMEMBERED = 200;
    static final String FILE = "journal.json";

    /** Phases of a run, in order. */
    static final String INSTALL = "install";
    static final String REBOOT = "reboot";
    static final String TESTS = "tests";
    static final String FINISH = "finish";

    public String request;
    public String phase;
    public String started;
    public int rebootCount;
    public boolean preRebootDone;
    /** The boot id when a reboot command was run; null when no reboot is awaited. */
    public String rebootFromBootId;
    /** Index (1-based) of the test that started and has not finished. */
    public Integer testRunning;
    public Long testPid;
    public String testPidStart;
    public String testStarted;
    public String testDeadline;
    public String problemKind;
    public String problemMessage;
    public String note;
    public List<TestRecord> tests = new ArrayList<>();
    public List<String> finished = new ArrayList<>();
    public long seq;
    public String lastState;

    /** One finished test, as it goes into result.xml. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class TestRecord {
        public int index;
        public String name;
        public String outcome;
        public Integer exitCode;
        public String started;
        public String finished;
        public String message;
        public List<String> logs = new ArrayList<>();
    }

    static Journal load(Path workDir) throws IOException {
        Path file = workDir.resolve(FILE);
        if (!Files.exists(file)) {
            return new Journal();
        }
        try {
            return JSON.readValue(file.toFile(), Journal.class);
        } catch (IOException e) {
            throw new IOException(file + " cannot be read (" + e.getMessage() + "); the agent will not guess what"
                    + " it was doing. Look at it, then move it away to start afresh", e);
        }
    }

    void save(Path workDir) throws IOException {
        AtomicFiles.write(workDir.resolve(FILE), JSON.writeValueAsBytes(this));
    }

    boolean active() {
        return request != null;
    }

    boolean hasFinished(String id) {
        return finished.contains(id);
    }

    void begin(String id, String now) {
        request = id;
        phase = INSTALL;
        started = now;
        rebootCount = 0;
        preRebootDone = false;
        rebootFromBootId = null;
        testRunning = null;
        testPid = null;
        testPidStart = null;
        testStarted = null;
        testDeadline = null;
        problemKind = null;
        problemMessage = null;
        note = null;
        tests = new ArrayList<>();
    }

    void fail(String kind, String message) {
        if (problemKind == null) {
            problemKind = kind;
            problemMessage = message;
        }
    }

    /** The run is over and its request removed: remember it, forget the rest. */
    void end() {
        finished.add(request);
        while (finished.size() > REMEMBERED) {
            finished.remove(0);
        }
        begin(null, null);
        phase = null;
    }
}
