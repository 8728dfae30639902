package labdrop.agent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the agent knows about its run, as it stands in {@code <work.dir>/journal.json}: the request
 * being run, its phase, reboots and the boot id before the last one (and whether the reboot
 * command had to be run again), the test that started and has
 * not finished, the tests already recorded, and (across runs) the requests that ran to the end and
 * the state last sent. A value: every change makes a new journal, which {@link JournalFile} writes
 * atomically ({@link JournalJson}) before the step it describes runs.
 */
record Journal(String request, Phase phase, Instant started, int rebootCount, boolean preRebootDone,
               String rebootFromBootId, boolean rebootReissued, Integer testRunning, Long testPid, Instant testPidStart,
               Instant testStarted, Instant testDeadline, String problemKind, String problemMessage, String note,
               List<TestRecord> tests, List<String> finished, long seq, String lastState) {

    /** How many finished request ids the journal remembers, so a request left in the drop never runs twice. */
    static final int REMEMBERED = 200;

    /** Phases of a run, in order; a reboot keeps the phase it happened in. */
    enum Phase {
        INSTALL,
        TESTS,
        FINISH
    }

    /** One finished test, as it goes into result.xml. */
    record TestRecord(int index, String name, String outcome, Integer exitCode, Instant started, Instant finished,
                      String message, List<String> logs) {
        TestRecord {
            logs = logs == null ? List.of() : List.copyOf(logs);
        }
    }

    Journal {
        tests = tests == null ? List.of() : List.copyOf(tests);
        finished = finished == null ? List.of() : List.copyOf(finished);
    }

    /** No run, nothing remembered: a new SUT. */
    static Journal empty() {
        return new Journal(null, null, null, 0, false, null, false, null, null, null, null, null, null, null, null,
                List.of(), List.of(), 0, null);
    }

    boolean active() {
        return request != null;
    }

    boolean hasFinished(String id) {
        return finished.contains(id);
    }

    boolean hasRecord(int index) {
        return tests.stream().anyMatch(t -> t.index() == index);
    }

    /** A new run of {@code id} in the install phase; what is remembered across runs stays. */
    Journal begin(String id, Instant now) {
        return new Journal(id, Phase.INSTALL, now, 0, false, null, false, null, null, null, null, null, null, null, null,
                List.of(), finished, seq, lastState);
    }

    /** The run failed: the first problem is the one result.xml reports. */
    Journal fail(String kind, String message) {
        if (problemKind != null) {
            return this;
        }
        return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued, testRunning, testPid,
                testPidStart, testStarted, testDeadline, kind, message, note, tests, finished, seq, lastState);
    }

    Journal inPhase(Phase next) {
        return new Journal(request, next, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued, testRunning, testPid,
                testPidStart, testStarted, testDeadline, problemKind, problemMessage, note, tests, finished, seq,
                lastState);
    }

    /** The self-reboot before the run was done (or skipped): never again for this run. */
    Journal preRebootHandled() {
        return new Journal(request, phase, started, rebootCount, true, rebootFromBootId, rebootReissued, testRunning, testPid,
                testPidStart, testStarted, testDeadline, problemKind, problemMessage, note, tests, finished, seq,
                lastState);
    }

    /** What the admin should know about this run, shown in the host's state message. */
    Journal noted(String text) {
        return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued, testRunning, testPid,
                testPidStart, testStarted, testDeadline, problemKind, problemMessage, text, tests, finished, seq,
                lastState);
    }

    /** The reboot command is about to run while {@code bootId} is the boot id. */
    Journal rebooting(String bootId) {
        return new Journal(request, phase, started, rebootCount + 1, preRebootDone, bootId, false, testRunning, testPid,
                testPidStart, testStarted, testDeadline, problemKind, problemMessage, note, tests, finished, seq,
                lastState);
    }

    /**
     * A new agent found the boot id unchanged and runs the reboot command once more: the agent
     * before it may have died between this journal and the command.
     */
    Journal reissuingReboot() {
        return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, true, testRunning,
                testPid, testPidStart, testStarted, testDeadline, problemKind, problemMessage, note, tests, finished, seq,
                lastState);
    }

    /**
     * The awaited reboot happened, or was found not to: no reboot is awaited, and the test that asked
     * for it (if one did) is no longer running; it runs again from its start.
     */
    Journal rebootSettled() {
        return new Journal(request, phase, started, rebootCount, preRebootDone, null, false, null, null, null, null,
                null, problemKind, problemMessage, note, tests, finished, seq, lastState);
    }

    /** Test {@code index} is about to start; it must end by {@code deadline}. */
    Journal testStarting(int index, Instant at, Instant deadline) {
        return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued, index, null, null,
                at, deadline, problemKind, problemMessage, note, tests, finished, seq, lastState);
    }

    /** The running test's process, so a new agent can adopt it (the pid and its start, against pid reuse). */
    Journal testProcess(long pid, Instant pidStart) {
        return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued, testRunning, pid,
                pidStart, testStarted, testDeadline, problemKind, problemMessage, note, tests, finished, seq,
                lastState);
    }

    /** A test's outcome (replacing an earlier one for the same index); no test is running any more. */
    Journal recorded(TestRecord record) {
        List<TestRecord> next = new ArrayList<>(tests);
        next.removeIf(t -> t.index() == record.index());
        next.add(record);
        next.sort(Comparator.comparingInt(TestRecord::index));
        return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued, null, null, null,
                null, null, problemKind, problemMessage, note, next, finished, seq, lastState);
    }

    /** The sequence number of the state report being sent. */
    Journal withSeq(long next) {
        return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued, testRunning, testPid,
                testPidStart, testStarted, testDeadline, problemKind, problemMessage, note, tests, finished, next,
                lastState);
    }

    /** The state report that went out (so an unchanged one is not sent again). */
    Journal withLastState(String key) {
        return new Journal(request, phase, started, rebootCount, preRebootDone, rebootFromBootId, rebootReissued, testRunning, testPid,
                testPidStart, testStarted, testDeadline, problemKind, problemMessage, note, tests, finished, seq, key);
    }

    /** The run is over and its request removed: remember it, forget the rest. */
    Journal end() {
        List<String> remembered = new ArrayList<>(finished);
        remembered.add(request);
        while (remembered.size() > REMEMBERED) {
            remembered.remove(0);
        }
        return new Journal(null, null, null, 0, false, null, false, null, null, null, null, null, null, null, null, List.of(),
                remembered, seq, lastState);
    }
}
