package labdrop.agent;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.RequestDoc;
import labdrop.drop.xml.ResultDoc;
import labdrop.drop.xml.XmlFormat;
import labdrop.pkg.Fetcher;
import labdrop.pkg.InstallLimits;
import labdrop.pkg.Installer;
import labdrop.pkg.PackageFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on the SUT, step by step, each step written to the journal before it runs:
 * install (optional self-reboot, kernel-install step, sysinfo, packages fetched, verified and
 * installed), the tests in order (each a child process in its own folder, with its timeout,
 * stdout and stderr captured and pushed while it runs), then the finish: result.xml, results
 * pushed, state Available, current/&lt;id&gt;.xml removed. Every step may be repeated after a crash.
 */
final class RequestRun {
    private static final Logger LOG = LoggerFactory.getLogger(RequestRun.class);
    /** A test creates this file (named in LABDROP_REBOOT_FILE) to ask for a reboot after it exits; it then runs again. */
    static final String REBOOT_FILE = ".labdrop-reboot-request";
    /** How long this process waits for the reboot it asked for before it says none happened. */
    static final Duration REBOOT_WAIT = Duration.ofMinutes(10);
    /** The test's wrapper writes the exit code here (in the test's folder) when the test ends. */
    static final String EXIT_FILE = ".labdrop-exit";
    private final Agent agent;
    private final Journal journal;
    private final DropTransport transport;
    private final Agent.Reporter reporter;
    private final Effective directions;
    private RequestDoc doc;

    RequestRun(Agent agent, Journal journal, DropTransport transport, Agent.Reporter reporter, Effective directions) {
        this.agent = agent;
        this.journal = journal;
        this.transport = transport;
        this.reporter = reporter;
        this.directions = directions;
    }

    /** The state message: what the admin should know about this run and this host's directions. */
    private String message() {
        if (journal.note == null) {
            return directions.problem();
        }
        return directions.problem() == null ? journal.note : journal.note + "; " + directions.problem();
    }

    private Path runDir() {
        return agent.work.resolve("runs").resolve(journal.request);
    }

    private Path resultsDir() {
        return runDir().resolve("results");
    }

    /** Takes up a new request: checks it, then runs it from the start. */
    Agent.Outcome start(String id) throws IOException, InterruptedException {
        journal.begin(id, agent.now().toString());
        Files.createDirectories(resultsDir());
        Path placed = agent.mirror.resolve(DropLayout.CURRENT).resolve(id + ".xml");
        byte[] bytes = Files.readAllBytes(placed);
        Files.write(runDir().resolve("request.xml"), bytes);
        try {
            doc = DropXml.read(XmlFormat.REQUEST, bytes, "current/" + id + ".xml");
        } catch (RuntimeException e) {
            journal.fail("error", "the request file cannot be read: " + e.getMessage());
            return finish();
        }
        if (!doc.id.equals(id) || !doc.host.equals(agent.config.host())) {
            journal.fail("rejected", "current/" + id + ".xml is request '" + doc.id + "' for host '" + doc.host
                    + "'; this SUT is '" + agent.config.host() + "' and runs only its own requests");
            return finish();
        }
        Optional<String> refusal = directions.refusal(doc.requester, agent.config.owner());
        if (refusal.isPresent()) {
            journal.fail("rejected", refusal.get());
            return finish();
        }
        journal.save(agent.work);
        LOG.info("picked up {} from {} ({} tests)", id, doc.requester, doc.tests.size());
        return proceed();
    }

    /** Carries on with the run the journal describes (after a restart, a reboot, or a kill -9). */
    Agent.Outcome resume() throws IOException, InterruptedException {
        Path saved = runDir().resolve("request.xml");
        if (journal.problemKind == null) {
            doc = DropXml.read(XmlFormat.REQUEST, Files.readAllBytes(saved), saved.toString());
        }
        boolean stillPlaced = Files.exists(agent.mirror.resolve(DropLayout.CURRENT).resolve(journal.request + ".xml"));
        if (!stillPlaced && !Journal.FINISH.equals(journal.phase)) {
            killLeftoverTest();
            journal.fail("error", "the server withdrew the request (cancelled or aborted) while it ran here");
            return finish();
        }
        if (journal.rebootFromBootId != null) {
            String now = agent.bootId();
            if (now.equals(journal.rebootFromBootId)) {
                if (agent.rebootIssuedAt != null
                        && Duration.between(agent.rebootIssuedAt, agent.now()).compareTo(REBOOT_WAIT) < 0) {
                    return Agent.Outcome.REBOOTING;
                }
                String message = "the reboot did not happen: boot id is still " + now + " after running '"
                        + agent.config.reboot().command() + "'; check reboot.command";
                journal.rebootFromBootId = null;
                if (journal.testRunning != null) {
                    record(journal.testRunning, "error", null, message);
                } else {
                    journal.fail("error", message);
                }
            } else {
                LOG.info("resumed {} after reboot {} (boot id {} -> {})", journal.request, journal.rebootCount,
                        journal.rebootFromBootId, now);
                journal.rebootFromBootId = null;
            }
            journal.save(agent.work);
        } else if (journal.testRunning != null) {
            int index = journal.testRunning;
            if (journal.testStarted == null) {
                record(index, "aborted", null, "the agent stopped as the test was starting");
            } else {
                Optional<ProcessHandle> leftover = leftoverTest();
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

    private Agent.Outcome proceed() throws IOException, InterruptedException {
        if (journal.problemKind != null || Journal.FINISH.equals(journal.phase)) {
            return finish();
        }
        if (Journal.INSTALL.equals(journal.phase)) {
            Agent.Outcome outcome = install();
            if (outcome != null) {
                return outcome;
            }
        }
        if (journal.problemKind == null) {
            Agent.Outcome outcome = tests();
            if (outcome != null) {
                return outcome;
            }
        }
        return finish();
    }

    /** Install phase; returns non-null when the run stops here (a reboot), null to go on. */
    private Agent.Outcome install() throws IOException, InterruptedException {
        String id = journal.request;
        reporter.report("Install", id, "install", message());
        if (doc.options.selfReboot && !journal.preRebootDone) {
            journal.preRebootDone = true;
            if (directions.flag("self_reboot")) {
                return reboot("self-reboot before the run");
            }
            journal.note = "the request asked for a self-reboot, but self_reboot = false on this host; ran without";
            journal.save(agent.work);
        }
        if (doc.options.kernelInstall != null && !"none".equals(directions.get("kernel_install"))) {
            reporter.report("Install", id, "kernel-install " + doc.options.kernelInstall, message());
            int code = step("kernel-install", directions.get("kernel_install"), Duration.ofMinutes(30),
                    Map.of("LABDROP_KERNEL", doc.options.kernelInstall));
            if (code != 0) {
                journal.fail("error", "the kernel-install step ('" + directions.get("kernel_install") + "') exited with "
                        + code + "; see logs/kernel-install.log");
                return null;
            }
        }
        if (doc.options.buildSet != null) {
            if (directions.flag("build_set")) {
                reporter.report("Install", id, "build-set", message());
                int code = step("build-set", doc.options.buildSet, Duration.ofMinutes(30), Map.of());
                if (code != 0) {
                    journal.fail("error", "the build-set step ('" + doc.options.buildSet + "') "
                            + (code < 0 ? "ran past its 30 minutes and was killed" : "exited with " + code)
                            + "; see logs/build-set.log");
                    return null;
                }
            } else {
                journal.note = "the request has a build-set step, but build_set = false on this host; ran without";
                journal.save(agent.work);
            }
        }
        if (directions.flag("build_set") || doc.options.buildSet != null) {
            Sysinfo.record(resultsDir().resolve("sysinfo"));
        }
        agent.removeInstallLeftovers();
        List<URI> locations = new ArrayList<>();
        if (doc.packages.repository != null) {
            locations.add(URI.create(doc.packages.repository));
        }
        locations.addAll(directions.fetchLocations(agent.config));
        Fetcher fetcher = new Fetcher(agent.config.fetchPolicy(), agent.random);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Installer installer = new Installer(InstallLimits.DEFAULT, pool, 2);
            int n = 0;
            for (RequestDoc.Package p : doc.packages.list) {
                n++;
                PackageFile file = PackageFile.parse(p.fileName());
                if (p.sha256 != null && Installer.installedDigest(file, agent.installRoot).filter(p.sha256::equals).isPresent()) {
                    LOG.info("{} unchanged (SHA-256 {}), not fetched", file.fileName(), p.sha256.substring(0, 12));
                    continue;
                }
                if (p.sha256 == null) {
                    journal.fail("error", "the request gives no SHA-256 for " + file.fileName()
                            + "; the agent installs only packages it can verify");
                    return null;
                }
                if (locations.isEmpty()) {
                    journal.fail("error", "no package repository to fetch " + file.fileName() + " from: the request names"
                            + " none and neither fetch_location (directions) nor fetch.locations (agent.conf) is set");
                    return null;
                }
                reporter.report("Install", id, "fetch " + n + "/" + doc.packages.list.size() + " " + file.fileName(),
                        message());
                try {
                    Path tarball = fetcher.fetch(new Fetcher.Wanted(file.fileName(), p.sha256, p.size == null ? -1 : p.size),
                            locations, agent.cache);
                    installer.install(tarball, p.sha256, List.of(), agent.installRoot);
                    Files.deleteIfExists(tarball);
                } catch (RuntimeException | IOException e) {
                    journal.fail("error", "package " + file.fileName() + ": " + e.getMessage());
                    return null;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        journal.phase = Journal.TESTS;
        journal.save(agent.work);
        return null;
    }

    /** Runs the tests not yet finished; non-null when the run stops here (a reboot). */
    private Agent.Outcome tests() throws IOException, InterruptedException {
        int total = doc.tests.size();
        for (int i = 1; i <= total; i++) {
            final int index = i;
            if (journal.tests.stream().anyMatch(t -> t.index == index)) {
                continue;
            }
            RequestDoc.Test test = doc.tests.get(i - 1);
            Agent.Outcome outcome = runTest(i, total, test);
            if (outcome != null) {
                return outcome;
            }
        }
        journal.phase = Journal.FINISH;
        journal.save(agent.work);
        return null;
    }

    private Agent.Outcome runTest(int index, int total, RequestDoc.Test test) throws IOException, InterruptedException {
        String id = journal.request;
        String name = test.packageName;
        Path packageDir = agent.installRoot.resolve("tests").resolve(name);
        Path cwd = testDir(index);
        Path logs = Files.createDirectories(resultsDir().resolve("logs"));
        Optional<Path> entry = entryPoint(packageDir, test);
        if (entry.isEmpty()) {
            record(index, "error", null, "test package '" + name + "' has no " + (test.control != null
                    ? "control file '" + test.control + "'" : "'run' or '" + name + ".sh'") + " to run");
            return null;
        }
        Duration timeout = test.timeoutSeconds != null ? Duration.ofSeconds(test.timeoutSeconds)
                : agent.config.testTimeout();
        Instant started = agent.now();
        journal.testRunning = index;
        journal.testPid = null;
        journal.testStarted = started.toString();
        journal.testDeadline = started.plus(timeout).toString();
        journal.save(agent.work);
        reporter.report("Running", id, step(index), message());
        Files.createDirectories(cwd);
        Files.deleteIfExists(cwd.resolve(REBOOT_FILE));
        Files.deleteIfExists(cwd.resolve(EXIT_FILE));
        // The shell wrapper records the exit code in a file, so an agent restarted while the test ran
        // can adopt the test and still learn how it ended. It first sets test.oom-score-adj in place of the
        // OOM protection the agent runs with (OOMScoreAdjust in the unit), which children inherit: a test that
        // exhausts memory is the OOM killer's choice, not the SUT's sshd or the agent. Lowering the value needs
        // CAP_SYS_RESOURCE; without it the test keeps the agent's.
        String wrapper = "{ echo " + agent.config.testOomScoreAdj() + " > /proc/self/oom_score_adj; } 2>/dev/null; "
                + "\"$@\"; code=$?; echo $code > " + EXIT_FILE + ".tmp && mv " + EXIT_FILE + ".tmp " + EXIT_FILE
                + "; exit $code";
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", wrapper, "labdrop-test"));
        if (!Files.isExecutable(entry.get())) {
            command.add("/bin/sh");
        }
        command.add(entry.get().toString());
        command.addAll(test.args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(index + "-" + name + ".stdout").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve(index + "-" + name + ".stderr").toFile()));
        builder.environment().putAll(Map.of("LABDROP_REQUEST", id, "LABDROP_HOST", agent.config.host(),
                "LABDROP_TEST_INDEX", Integer.toString(index), "LABDROP_TEST_DIR", packageDir.toString(),
                "LABDROP_REBOOTCOUNT", Integer.toString(journal.rebootCount),
                "LABDROP_REBOOT_FILE", cwd.resolve(REBOOT_FILE).toString(),
                "LABDROP_INSTALL_DIR", agent.installRoot.toString()));
        Process process = builder.start();
        journal.testPid = process.pid();
        journal.testPidStart = process.info().startInstant().map(Instant::toString).orElse(null);
        journal.save(agent.work);
        return await(index, process.toHandle());
    }

    private Path testDir(int index) {
        return runDir().resolve("tests").resolve(index + "-" + doc.tests.get(index - 1).packageName);
    }

    private String step(int index) {
        return index + "/" + doc.tests.size() + " " + doc.tests.get(index - 1).packageName;
    }

    /**
     * Waits for the test the journal names (this agent's child, or one a killed agent left running),
     * pushing its logs and the state heartbeat meanwhile and killing it at its deadline; then records
     * its outcome from the exit code its wrapper wrote.
     */
    private Agent.Outcome await(int index, ProcessHandle handle) throws IOException, InterruptedException {
        String id = journal.request;
        Instant deadline = Instant.parse(journal.testDeadline);
        boolean timedOut = false;
        while (handle != null && handle.isAlive()) {
            long waitMillis = Math.min(agent.config.logPushInterval().toMillis(),
                    Math.max(1, Duration.between(agent.now(), deadline).toMillis()));
            try {
                handle.onExit().get(waitMillis, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException stillRunning) {
                if (!agent.now().isBefore(deadline)) {
                    killTree(handle);
                    handle.onExit().join();
                    timedOut = true;
                    break;
                }
                pushQuietly();
                reporter.heartbeat("Running", id, step(index), message());
            } catch (ExecutionException e) {
                break;
            }
        }
        Path cwd = testDir(index);
        Instant started = Instant.parse(journal.testStarted);
        Instant finished = agent.now();
        String name = doc.tests.get(index - 1).packageName;
        List<String> logNames = List.of("logs/" + index + "-" + name + ".stdout", "logs/" + index + "-" + name + ".stderr");
        Integer code = readExitCode(cwd);
        if (timedOut) {
            long seconds = Duration.between(started, deadline).toSeconds();
            record(index, "error", code, "timed out after " + seconds + "s and was killed", started, finished, logNames);
            return null;
        }
        if (code == null) {
            record(index, "aborted", null, "the test ended without an exit code (killed, or the agent stopped while it"
                    + " ran) and asked for no reboot", started, finished, logNames);
            return null;
        }
        if (Files.exists(cwd.resolve(REBOOT_FILE))) {
            Files.delete(cwd.resolve(REBOOT_FILE));
            if (journal.rebootCount >= agent.config.reboot().max()) {
                record(index, "aborted", code, "reboot loop: the test asked for reboot " + (journal.rebootCount + 1)
                        + ", over reboot.max = " + agent.config.reboot().max(), started, finished, logNames);
                return null;
            }
            return reboot("test " + step(index) + " asked for a reboot");
        }
        record(index, code == 0 ? "pass" : "fail", code, signalNote(code), started, finished, logNames);
        return null;
    }

    /** What an exit code over 128 says: the shell's way of telling that the test died of a signal. */
    static String signalNote(int code) {
        if (code <= 128 || code > 128 + 64) {
            return null;
        }
        int signal = code - 128;
        String name = switch (signal) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 13 -> "SIGPIPE";
            case 15 -> "SIGTERM";
            default -> "signal " + signal;
        };
        return "exit code " + code + ": the test was killed by " + name + (signal == 9
                ? " (the kernel's OOM killer sends it when memory runs out: see dmesg or journalctl -k)" : "");
    }

    private static Integer readExitCode(Path cwd) throws IOException {
        Path file = cwd.resolve(EXIT_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The file a test runs: its control file, else {@code run}, else {@code <name>.sh}; never outside the package. */
    private static Optional<Path> entryPoint(Path packageDir, RequestDoc.Test test) throws IOException {
        List<String> candidates = test.control != null ? List.of(test.control) : List.of("run", test.packageName + ".sh");
        if (!Files.isDirectory(packageDir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Path real = packageDir.toRealPath();
        for (String candidate : candidates) {
            Path file = packageDir.resolve(candidate).normalize();
            if (file.startsWith(packageDir) && Files.isRegularFile(file) && file.toRealPath().startsWith(real)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    private void record(int index, String outcome, Integer exitCode, String message) throws IOException {
        record(index, outcome, exitCode, message, null, agent.now(), List.of());
    }

    private void record(int index, String outcome, Integer exitCode, String message, Instant started, Instant finished,
                        List<String> logs) throws IOException {
        Journal.TestRecord record = new Journal.TestRecord();
        record.index = index;
        record.name = doc == null ? "test-" + index : doc.tests.get(index - 1).packageName;
        record.outcome = outcome;
        record.exitCode = exitCode;
        record.started = started == null ? null : started.toString();
        record.finished = finished.toString();
        record.message = message;
        for (String log : List.of("logs/" + index + "-" + record.name + ".stdout", "logs/" + index + "-" + record.name + ".stderr")) {
            if (logs.contains(log) || Files.exists(resultsDir().resolve(log))) {
                record.logs.add(log);
            }
        }
        if (message != null) {
            Path note = resultsDir().resolve("logs").resolve(index + "-" + record.name + ".agent");
            Files.createDirectories(note.getParent());
            Files.writeString(note, message + "\n", StandardCharsets.UTF_8);
            record.logs.add("logs/" + index + "-" + record.name + ".agent");
        }
        journal.tests.removeIf(t -> t.index == index);
        journal.tests.add(record);
        journal.tests.sort(Comparator.comparingInt(t -> t.index));
        journal.testRunning = null;
        journal.testPid = null;
        journal.testPidStart = null;
        journal.testStarted = null;
        journal.testDeadline = null;
        journal.save(agent.work);
        LOG.info("{} test {} {}: {}{}", journal.request, index, record.name, outcome, message == null ? "" : " (" + message + ")");
    }

    /** Journal first, then state Rebooting, then the reboot command; the next poll resumes at the step. */
    private Agent.Outcome reboot(String why) throws IOException, InterruptedException {
        journal.rebootCount++;
        journal.rebootFromBootId = agent.bootId();
        journal.save(agent.work);
        reporter.report("Rebooting", journal.request, "reboot " + journal.rebootCount + ": " + why, message());
        pushQuietly();
        LOG.info("{}: rebooting ({}) with '{}'", journal.request, why, agent.config.reboot().command());
        agent.rebootIssuedAt = agent.now();
        step("reboot-" + journal.rebootCount, agent.config.reboot().command(), Duration.ofMinutes(5), Map.of());
        return Agent.Outcome.REBOOTING;
    }

    /** Runs an admin-configured command with /bin/sh, its output into logs/NAME.log; returns its exit code. */
    private int step(String name, String command, Duration timeout, Map<String, String> env)
            throws IOException, InterruptedException {
        Path log = Files.createDirectories(resultsDir().resolve("logs")).resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("LABDROP_REQUEST", journal.request);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            killTree(process.toHandle());
            return -1;
        }
        return process.exitValue();
    }

    /** The finish, in order and each step repeatable: result.xml, results pushed, Available, request removed. */
    private Agent.Outcome finish() throws IOException, InterruptedException {
        journal.phase = Journal.FINISH;
        journal.save(agent.work);
        String id = journal.request;
        Path result = resultsDir().resolve(DropLayout.RESULT_FILE);
        if (!Files.exists(result)) {
            Files.createDirectories(resultsDir());
            AtomicFiles.write(result, DropXml.write(XmlFormat.RESULT, resultDoc()));
        }
        agent.retry("push results of " + id, transport, () -> transport.pushResults(id, resultsDir()));
        reporter.report("Available", null, null, message());
        agent.retry("remove current/" + id + ".xml", transport, () -> transport.removeRequest(id));
        journal.end();
        journal.save(agent.work);
        AtomicFiles.deleteTree(agent.work.resolve("runs").resolve(id));
        LOG.info("finished {}", id);
        return Agent.Outcome.RAN;
    }

    private ResultDoc resultDoc() throws IOException {
        ResultDoc result = new ResultDoc();
        result.request = journal.request;
        result.host = agent.config.host();
        result.started = Instant.parse(journal.started);
        result.finished = agent.now();
        if (journal.problemKind != null) {
            result.problem = new ResultDoc.Problem(journal.problemKind, journal.problemMessage.length() > 2000
                    ? journal.problemMessage.substring(0, 1997) + "..." : journal.problemMessage);
        }
        for (Journal.TestRecord t : journal.tests) {
            ResultDoc.Test test = new ResultDoc.Test();
            test.index = t.index;
            test.name = t.name;
            test.outcome = t.outcome;
            test.exitCode = t.exitCode;
            test.started = t.started == null ? null : Instant.parse(t.started);
            test.finished = t.finished == null ? null : Instant.parse(t.finished);
            test.logs.addAll(t.logs);
            result.tests.add(test);
        }
        if (doc != null && journal.problemKind == null) {
            for (int i = journal.tests.size() + 1; i <= doc.tests.size(); i++) {
                final int index = i;
                if (journal.tests.stream().noneMatch(t -> t.index == index)) {
                    ResultDoc.Test skipped = new ResultDoc.Test();
                    skipped.index = i;
                    skipped.name = doc.tests.get(i - 1).packageName;
                    skipped.outcome = "skipped";
                    result.tests.add(skipped);
                }
            }
        }
        Path sysinfo = resultsDir().resolve("sysinfo");
        if (Files.isDirectory(sysinfo)) {
            result.sysinfo = Sysinfo.summary(sysinfo);
        }
        return result;
    }

    private void pushQuietly() throws InterruptedException {
        try {
            transport.pushResults(journal.request, resultsDir());
        } catch (IOException e) {
            LOG.warn("pushing the logs of {} failed (tried again at the next push): {}", journal.request, e.getMessage());
            try {
                transport.close();
            } catch (IOException ignored) {
                // the next push opens a new connection
            }
        }
    }

    /** The test process a killed agent left running, if it is still alive and still the same process. */
    private Optional<ProcessHandle> leftoverTest() {
        if (journal.testPid == null) {
            return Optional.empty();
        }
        return ProcessHandle.of(journal.testPid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().map(Instant::toString)
                        .equals(Optional.ofNullable(journal.testPidStart)));
    }

    /** Kills the test process a killed agent left running (the request was withdrawn). */
    private void killLeftoverTest() {
        leftoverTest().ifPresent(p -> {
            LOG.warn("killing test process {} left running by the previous agent", p.pid());
            killTree(p);
        });
    }

    static void killTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

}
