package labdrop.agent;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import labdrop.drop.xml.RequestDoc;

/**
 * A test as a child process: started in its own folder under a shell wrapper that records its exit
 * code in a file (so an agent restarted while the test ran can adopt it and still learn how it
 * ended), waited for with a callback between waits, killed with its descendants at its deadline.
 */
final class TestProcess {
    /** A test creates this file (named in LABDROP_REBOOT_FILE) to ask for a reboot after it exits; it then runs again. */
    static final String REBOOT_FILE = ".labdrop-reboot-request";
    /** The test's wrapper writes the exit code here (in the test's folder) when the test ends. */
    static final String EXIT_FILE = ".labdrop-exit";

    /** What to do between waits while the test runs (push its logs, the state heartbeat). */
    @FunctionalInterface
    interface WhileRunning {
        void tick() throws IOException, InterruptedException;
    }

    private TestProcess() {
    }

    /** The file a test runs: its control file, else {@code run}, else {@code <name>.sh}; never outside the package. */
    static Optional<Path> entryPoint(Path packageDir, RequestDoc.Test test) throws IOException {
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

    /**
     * Makes {@code cwd} ready for a new run of its test: no exit code or reboot request of an earlier
     * run is left to be taken for this one's. Done before the journal says the test is starting.
     */
    static void prepare(Path cwd) throws IOException {
        Files.createDirectories(cwd);
        Files.deleteIfExists(cwd.resolve(REBOOT_FILE));
        Files.deleteIfExists(cwd.resolve(EXIT_FILE));
    }

    /**
     * Starts {@code entry} in {@code cwd} (made ready by {@link #prepare}) with the test's arguments, stdin from /dev/null, stdout and
     * stderr appended to {@code stdout} and {@code stderr}. The wrapper first sets {@code oomScoreAdj}
     * in place of the OOM protection the agent runs with (OOMScoreAdjust in the unit), which children
     * inherit: a test that exhausts memory is the OOM killer's choice, not the SUT's sshd or the agent.
     * Lowering the value needs CAP_SYS_RESOURCE; without it the test keeps the agent's.
     */
    static Process start(Path entry, List<String> args, Path cwd, Path stdout, Path stderr, int oomScoreAdj,
                         Map<String, String> env) throws IOException {
        String wrapper = "{ echo " + oomScoreAdj + " > /proc/self/oom_score_adj; } 2>/dev/null; "
                + "\"$@\"; code=$?; echo $code > " + EXIT_FILE + ".tmp && mv " + EXIT_FILE + ".tmp " + EXIT_FILE
                + "; exit $code";
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", wrapper, "labdrop-test"));
        if (!Files.isExecutable(entry)) {
            command.add("/bin/sh");
        }
        command.add(entry.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    /**
     * Waits until {@code handle} ends (null: nothing to wait for), calling {@code whileRunning}
     * every {@code interval}; at {@code deadline} kills it with its descendants. True when it was
     * killed at the deadline.
     */
    static boolean await(ProcessHandle handle, Instant deadline, Duration interval, RunContext context,
                         WhileRunning whileRunning) throws IOException, InterruptedException {
        while (handle != null && handle.isAlive()) {
            long waitMillis = Math.min(interval.toMillis(),
                    Math.max(1, Duration.between(context.now(), deadline).toMillis()));
            try {
                handle.onExit().get(waitMillis, TimeUnit.MILLISECONDS);
                return false;
            } catch (TimeoutException stillRunning) {
                if (!context.now().isBefore(deadline)) {
                    killTree(handle);
                    handle.onExit().join();
                    return true;
                }
                whileRunning.tick();
            } catch (ExecutionException e) {
                return false;
            }
        }
        return false;
    }

    /** The exit code the wrapper wrote in {@code cwd}; null when the test ended without one (killed). */
    static Integer exitCode(Path cwd) throws IOException {
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

    /** True (once) when the test in {@code cwd} asked for a reboot: the request file is consumed. */
    static boolean rebootAsked(Path cwd) throws IOException {
        return Files.deleteIfExists(cwd.resolve(REBOOT_FILE));
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

    /** The test process a killed agent left running, if it is still alive and still the same process. */
    static Optional<ProcessHandle> leftover(Long pid, Instant pidStart) {
        if (pid == null) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().equals(Optional.ofNullable(pidStart)));
    }

    static void killTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
