package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** An admin-configured command (kernel-install, build-set, the reboot command) run with /bin/sh. */
final class CommandStep {
    private CommandStep() {
    }

    /**
     * Runs {@code command} with its output appended to {@code logs/<name>.log}; returns its exit
     * code, or -1 when it ran past {@code timeout} and was killed.
     */
    static int run(Path logs, String name, String command, Duration timeout, Map<String, String> env)
            throws IOException, InterruptedException {
        Path log = Files.createDirectories(logs).resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            TestProcess.killTree(process.toHandle());
            return -1;
        }
        return process.exitValue();
    }
}
