package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.RequestDoc;
import labdrop.drop.xml.XmlFormat;
import labdrop.result.CaseReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on the SUT, step by step, each step written to the journal before it runs: the
 * install phase (optional self-reboot, then {@link InstallPhase}), the tests in order (each a
 * {@link TestProcess} with its timeout, logs pushed while it runs; a test may ask for a reboot and
 * then runs again), then the finish: result.xml, results pushed, state Available,
 * current/&lt;id&gt;.xml removed. Every step may be repeated after a crash: {@link #resume} picks
 * the run up from the journal.
 */
final class RequestRun {
    private static final Logger LOG = LoggerFactory.getLogger(RequestRun.class);
    private static final Duration REBOOT_COMMAND_TIMEOUT = Duration.ofMinutes(5);

    private final RunContext context;
    private final JournalFile journal;
    private final DropTransport transport;
    private final TransportRetry retry;
    private final StateReporter reporter;
    private final Effective directions;
    private final RebootWait rebootWait;
    private ResultWriter results;
    private CaseFiles cases;
    private RequestDoc doc;

    RequestRun(RunContext context, JournalFile journal, DropTransport transport, TransportRetry retry,
               StateReporter reporter, Effective directions, RebootWait rebootWait) {
        this.context = context;
        this.journal = journal;
        this.transport = transport;
        this.retry = retry;
        this.reporter = reporter;
        this.directions = directions;
        this.rebootWait = rebootWait;
    }

    /**
     * Takes up a new request: keeps its file, checks it, then runs it from the start. The journal
     * names the run only once its file is kept and checked, so a crash before that starts afresh.
     */
    Agent.Outcome start(String id) throws IOException, InterruptedException {
        results = new ResultWriter(context, id);
        cases = new CaseFiles(context, id);
        Files.createDirectories(results.dir());
        byte[] bytes = Files.readAllBytes(context.mirror().resolve(DropLayout.CURRENT).resolve(id + ".xml"));
        Files.write(context.runDir(id).resolve("request.xml"), bytes);
        Optional<Problem> problem = check(id, bytes);
        Instant now = context.now();
        journal.update(j -> problem.map(p -> j.begin(id, now).fail(p.kind(), p.message())).orElseGet(() -> j.begin(id, now)));
        if (problem.isPresent()) {
            return finish();
        }
        LOG.info("picked up {} from {} ({} tests)", id, doc.requester, doc.tests.size());
        return proceed();
    }

    /** Why a request ends before it runs: its kind in result.xml ("error", "rejected") and the reason. */
    private record Problem(String kind, String message) {
    }

    /** Why the request cannot run here (kind and message), if it cannot: unreadable, not this host's, or refused. */
    private Optional<Problem> check(String id, byte[] bytes) {
        try {
            doc = DropXml.read(XmlFormat.REQUEST, bytes, "current/" + id + ".xml");
        } catch (RuntimeException e) {
            doc = null;
            return Optional.of(new Problem("error", "the request file cannot be read: " + e.getMessage()));
        }
        String host = context.config().host();
        if (!doc.id.equals(id) || !doc.host.equals(host)) {
            return Optional.of(new Problem("rejected", "current/" + id + ".xml is request '" + doc.id + "' for host '"
                    + doc.host + "'; this SUT is '" + host + "' and runs only its own requests"));
        }
        return directions.refusal(doc.requester, context.config().owner()).map(r -> new Problem("rejected", r));
    }

    /** Carries on with the run the journal describes (after a restart, a reboot, or a kill -9). */
    Agent.Outcome resume() throws IOException, InterruptedException {
        Journal j = journal.current();
        results = new ResultWriter(context, j.request());
        cases = new CaseFiles(context, j.request());
        Path saved = context.runDir(j.request()).resolve("request.xml");
        if (j.problemKind() == null) {
            doc = DropXml.read(XmlFormat.REQUEST, Files.readAllBytes(saved), saved.toString());
        }
        boolean stillPlaced = Files.exists(context.mirror().resolve(DropLayout.CURRENT).resolve(j.request() + ".xml"));
        if (!stillPlaced && j.phase() != Journal.Phase.FINISH) {
            TestProcess.leftover(j.testPid(), j.testPidStart()).ifPresent(p -> {
                LOG.warn("killing test process {} left running by the previous agent", p.pid());
                TestProcess.killTree(p);
            });
            journal.update(x -> x.fail("error", "the server withdrew the request (cancelled or aborted) while it ran here"));
            return finish();
        }
        if (j.rebootFromBootId() != null) {
            Agent.Outcome outcome = afterReboot(j);
            if (outcome != null) {
                return outcome;
            }
        } else if (j.testRunning() != null) {
            int index = j.testRunning();
            if (j.testPid() == null && TestProcess.exitCode(testDir(index)) == null) {
                record(index, "aborted", null, "the agent stopped as the test was starting; it is not started again"
                        + " (a test runs at most once)", j.testStarted());
            } else {
                Optional<ProcessHandle> leftover = TestProcess.leftover(j.testPid(), j.testPidStart());
                leftover.ifPresent(p -> LOG.info("adopting test {} (pid {}) left running by the previous agent", index,
                        p.pid()));
                Agent.Outcome outcome = await(index, leftover.orElse(null));
                if (outcome != null) {
                    return outcome;
                }
            }
        }
        return proceed();
    }

    /**
     * A reboot was asked for: go on when it happened; wait when this process ran the command; run
     * the command once more when a new process finds the boot id unchanged (the agent before it
     * may have died between the journal and the command); after that, say it did not happen.
     */
    private Agent.Outcome afterReboot(Journal j) throws IOException, InterruptedException {
        String now = context.bootId();
        if (!now.equals(j.rebootFromBootId())) {
            LOG.info("resumed {} after reboot {} (boot id {} -> {})", j.request(), j.rebootCount(), j.rebootFromBootId(), now);
            journal.update(Journal::rebootSettled);
            return null;
        }
        if (rebootWait.waiting(context.now())) {
            return Agent.Outcome.REBOOTING;
        }
        String command = context.config().reboot().command();
        if (!j.rebootReissued()) {
            journal.update(Journal::reissuingReboot);
            LOG.info("{}: boot id still {} in a new agent process; running '{}' once more", j.request(), now, command);
            return runRebootCommand(journal.current(), "reboot " + j.rebootCount() + " again: the boot id did not change");
        }
        String message = "the reboot did not happen: boot id is still " + now + " after running '" + command
                + "' twice; check reboot.command";
        journal.update(Journal::rebootSettled);
        if (j.testRunning() != null) {
            record(j.testRunning(), "error", null, message, null);
        } else {
            journal.update(x -> x.fail("error", message));
        }
        return null;
    }

    private Agent.Outcome proceed() throws IOException, InterruptedException {
        Journal j = journal.current();
        if (j.problemKind() == null && j.phase() == Journal.Phase.INSTALL) {
            // no report of its own: each step of the install reports itself (kernel-install, build-set,
            // fetch n/N), and one sent here would be replaced a moment later, at the cost of three
            // fsynced writes (docs/performance.md, "The agent's install path")
            if (doc.options.selfReboot && !j.preRebootDone()) {
                journal.update(Journal::preRebootHandled);
                if (directions.flag("self_reboot")) {
                    return reboot("self-reboot before the run");
                }
                journal.update(x -> x.noted("the request asked for a self-reboot, but self_reboot = false on this host;"
                        + " ran without"));
            }
            new InstallPhase(context, journal, reporter, directions, doc, results, this::message).run();
        }
        if (journal.current().problemKind() == null && journal.current().phase() == Journal.Phase.TESTS) {
            Agent.Outcome outcome = tests();
            if (outcome != null) {
                return outcome;
            }
        }
        return finish();
    }

    /** Runs the tests not yet recorded; non-null when the run stops here (a reboot). */
    private Agent.Outcome tests() throws IOException, InterruptedException {
        for (int i = 1; i <= doc.tests.size(); i++) {
            if (!journal.current().hasRecord(i)) {
                Agent.Outcome outcome = runTest(i);
                if (outcome != null) {
                    return outcome;
                }
            }
        }
        journal.update(j -> j.inPhase(Journal.Phase.FINISH));
        return null;
    }

    private Agent.Outcome runTest(int index) throws IOException, InterruptedException {
        String id = journal.current().request();
        RequestDoc.Test test = doc.tests.get(index - 1);
        String name = test.packageName;
        Path packageDir = context.installRoot().resolve("tests").resolve(name);
        Optional<Path> entry = TestProcess.entryPoint(packageDir, test);
        if (entry.isEmpty()) {
            record(index, "error", null, "test package '" + name + "' has no " + (test.control != null
                    ? "control file '" + test.control + "'" : "'run' or '" + name + ".sh'") + " to run", null);
            return null;
        }
        Duration timeout = test.timeoutSeconds != null ? Duration.ofSeconds(test.timeoutSeconds)
                : context.config().testTimeout();
        Path cwd = testDir(index);
        TestProcess.prepare(cwd);
        Instant started = context.now();
        journal.update(j -> j.testStarting(index, started, started.plus(timeout)));
        reporter.report("Running", id, step(index), message());
        Path logs = results.logs();
        Process process = TestProcess.start(entry.get(), test.args, cwd,
                logs.resolve(index + "-" + name + ".stdout"), logs.resolve(index + "-" + name + ".stderr"),
                context.config().testOomScoreAdj(), Map.of("LABDROP_REQUEST", id, "LABDROP_HOST", context.config().host(),
                        "LABDROP_TEST_INDEX", Integer.toString(index), "LABDROP_TEST_DIR", packageDir.toString(),
                        "LABDROP_REBOOTCOUNT", Integer.toString(journal.current().rebootCount()),
                        "LABDROP_REBOOT_FILE", cwd.resolve(TestProcess.REBOOT_FILE).toString(),
                        "LABDROP_INSTALL_DIR", context.installRoot().toString(),
                        "LABDROP_RESULTS_DIR", cases.resultsDir(index, name).toString()));
        Instant pidStart = process.info().startInstant().orElse(null);
        journal.update(j -> j.testProcess(process.pid(), pidStart));
        return await(index, process.toHandle());
    }

    private Path testDir(int index) {
        return context.runDir(journal.current().request()).resolve("tests")
                .resolve(index + "-" + doc.tests.get(index - 1).packageName);
    }

    private String step(int index) {
        return index + "/" + doc.tests.size() + " " + doc.tests.get(index - 1).packageName;
    }

    /**
     * Waits for the test the journal names (this agent's child, or one a killed agent left running),
     * pushing its logs and the state heartbeat meanwhile and killing it at its deadline; then records
     * its outcome from the exit code its wrapper wrote, or reboots when it asked for that.
     */
    private Agent.Outcome await(int index, ProcessHandle handle) throws IOException, InterruptedException {
        Journal j = journal.current();
        Instant deadline = j.testDeadline();
        boolean timedOut = TestProcess.await(handle, deadline, context.config().logPushInterval(), context, () -> {
            pushQuietly();
            reporter.heartbeat("Running", j.request(), step(index), message());
        });
        Path cwd = testDir(index);
        Instant started = j.testStarted();
        Integer code = TestProcess.exitCode(cwd);
        if (timedOut) {
            long seconds = Duration.between(started, deadline).toSeconds();
            record(index, "error", code, "timed out after " + seconds + "s and was killed", started);
            return null;
        }
        if (code == null) {
            record(index, "aborted", null, "the test ended without an exit code (killed, or the agent stopped while it"
                    + " ran) and asked for no reboot", started);
            return null;
        }
        if (TestProcess.rebootAsked(cwd)) {
            int max = context.config().reboot().max();
            if (j.rebootCount() >= max) {
                record(index, "aborted", code, "reboot loop: the test asked for reboot " + (j.rebootCount() + 1)
                        + ", over reboot.max = " + max, started);
                return null;
            }
            return reboot("test " + step(index) + " asked for a reboot");
        }
        record(index, code == 0 ? "pass" : "fail", code, TestProcess.signalNote(code), started);
        return null;
    }

    /**
     * Records test {@code index}'s outcome, after reading the cases it reported when it ran; a test
     * that exited 0 but reported a failing case counts as failed.
     */
    private void record(int index, String outcome, Integer exitCode, String message, Instant started)
            throws IOException {
        String name = doc == null ? "test-" + index : doc.tests.get(index - 1).packageName;
        if (doc != null && started != null) {
            CaseReport report = cases.collect(index, name, results.dir().resolve(ResultWriter.stdout(index, name)));
            if (outcome.equals("pass") && report.anyFailed()) {
                long failed = report.cases().stream().filter(c -> c.outcome().failed()).count();
                outcome = "fail";
                message = "exit code 0, but " + failed + " of its " + report.cases().size() + " cases failed";
            }
        }
        Journal.TestRecord record = results.record(index, name, outcome, exitCode, message, started, context.now());
        journal.update(j -> j.recorded(record));
        LOG.info("{} test {} {}: {}{}", journal.current().request(), index, name, outcome,
                message == null ? "" : " (" + message + ")");
    }

    /** Journal first, then state Rebooting, then the reboot command; the next poll resumes at the step. */
    private Agent.Outcome reboot(String why) throws IOException, InterruptedException {
        Journal j = journal.update(x -> x.rebooting(context.bootId()));
        return runRebootCommand(j, "reboot " + j.rebootCount() + ": " + why);
    }

    private Agent.Outcome runRebootCommand(Journal j, String step) throws IOException, InterruptedException {
        reporter.report("Rebooting", j.request(), step, message());
        pushQuietly();
        String command = context.config().reboot().command();
        LOG.info("{}: {} with '{}'", j.request(), step, command);
        rebootWait.issued(context.now());
        CommandStep.run(results.logs(), "reboot-" + j.rebootCount(), command, REBOOT_COMMAND_TIMEOUT,
                Map.of("LABDROP_REQUEST", j.request()));
        return Agent.Outcome.REBOOTING;
    }

    /** The finish, in order and each step repeatable: result.xml, results pushed, Available, request removed. */
    private Agent.Outcome finish() throws IOException, InterruptedException {
        Journal j = journal.update(x -> x.inPhase(Journal.Phase.FINISH));
        String id = j.request();
        cases.writeRequestCases(results.dir());
        results.writeResult(j, doc);
        retry.run("push results of " + id, transport, () -> transport.pushResults(id, results.dir()));
        reporter.report("Available", null, null, message());
        retry.run("remove current/" + id + ".xml", transport, () -> transport.removeRequest(id));
        journal.update(Journal::end);
        AtomicFiles.deleteTree(context.runDir(id));
        LOG.info("finished {}", id);
        return Agent.Outcome.RAN;
    }

    /** The state message: what the admin should know about this run and this host's directions. */
    private String message() {
        String note = journal.current().note();
        if (note == null) {
            return directions.problem();
        }
        return directions.problem() == null ? note : note + "; " + directions.problem();
    }

    private void pushQuietly() throws InterruptedException {
        String id = journal.current().request();
        try {
            transport.pushResults(id, results.dir());
        } catch (IOException e) {
            LOG.warn("pushing the logs of {} failed (tried again at the next push): {}", id, e.getMessage());
            try {
                transport.close();
            } catch (IOException ignored) {
                // the next push opens a new connection
            }
        }
    }
}
