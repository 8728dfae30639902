package labdrop.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import labdrop.admin.HostAdmin;
import labdrop.error.ConflictException;
import labdrop.host.Host;

/**
 * Runs a host's {@code hard_reset_command} (LAVA's name; a PDU client, an IPMI call): an admin's
 * command line, run by {@code /bin/sh -c} with {@code LABDROP_HOST} set, killed after a timeout.
 */
public final class HardReset {
    private final HostAdmin hosts;
    private final Duration timeout;

    public HardReset(HostAdmin hosts, Duration timeout) {
        this.hosts = hosts;
        this.timeout = timeout;
    }

    /** How a reset went: the exit code (-1 when killed on timeout) and the command's output. */
    public record Outcome(int exitCode, String output) {
        public String summary() {
            return (exitCode == -1 ? "timed out" : "exit " + exitCode) + (output.isBlank() ? "" : ": " + output.strip());
        }
    }

    public Outcome reset(String name) {
        Host host = hosts.show(name);
        if (host.hardResetCommand() == null || host.hardResetCommand().isBlank()) {
            throw new ConflictException("host '" + name + "' has no hard_reset_command; set one with"
                    + " labdrop host set " + name + " --hard-reset-command 'pdu-client off-on 7'");
        }
        try {
            // Output goes to a file, so a chatty command can never block on a full pipe.
            Path output = Files.createTempFile("labdrop-reset-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", host.hardResetCommand())
                        .redirectErrorStream(true).redirectOutput(output.toFile());
                builder.environment().put("LABDROP_HOST", name);
                Process process = builder.start();
                process.getOutputStream().close();
                boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!ended) {
                    process.destroyForcibly();
                }
                byte[] text;
                try (var in = Files.newInputStream(output)) {
                    text = in.readNBytes(8192);
                }
                return new Outcome(ended ? process.exitValue() : -1, new String(text, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            return new Outcome(127, "cannot start the hard_reset_command: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, "interrupted");
        }
    }
}
