package labdrop.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The launcher's quiet poll: what {@code appliance/labdrop agent --once} needs to ask the doorbell
 * itself, with curl, before it starts a JVM (docs/agent.md "A timer's quiet poll"). A timer repeats
 * {@code agent --once} all day and nearly every poll is quiet; the JVM's start costs the SUT more
 * than ten times what the conditional GET does.
 *
 * <p>The agent writes {@code <work.dir>/once.gate} only after a poll of its own answered
 * {@link Agent.Outcome#QUIET}: no run under way, the host's state reported, the doorbell's ETag known.
 * It removes the gate before every other poll and when the daemon starts, so the gate exists only
 * while the next poll may be quiet. The launcher trusts it only while the configuration it was
 * written under is unchanged ({@code key}: the launcher's checksum of agent.conf and the
 * {@code LABDROP_*} environment), reads the ETag and the quiet-poll count from
 * {@code doorbell.state} as the agent does, starts the JVM when the safety net is due, and says
 * "quiet" only on a 304; anything else (a change, an error, curl missing) starts the agent.
 */
public final class OnceGate {
    /** The file, in the agent's work.dir. */
    public static final String FILE = "once.gate";
    /** The environment variable through which the launcher hands its configuration checksum to the agent. */
    public static final String KEY_ENV = "LABDROP_ONCE_GATE_KEY";

    private OnceGate() {
    }

    /**
     * After a {@code --once} poll: writes the gate when the poll was quiet and the launcher gave a
     * key (a run outside the launcher gives none), removes it otherwise.
     */
    public static void afterPoll(AgentConfig config, Agent.Outcome outcome, String key) throws IOException {
        AgentConfig.Doorbell bell = config.doorbell();
        if (outcome != Agent.Outcome.QUIET || key == null || key.isBlank() || !bell.enabled()) {
            remove(config.workDir());
            return;
        }
        Path ca = config.fetch().caFile();
        String text = "key=" + key.strip() + "\n"
                + "url=" + bell.url() + "\n"
                + "token-file=" + bell.tokenFile().toAbsolutePath() + "\n"
                + "safety-every=" + bell.safetyEvery() + "\n"
                + "connect-timeout=" + seconds(config.ssh().connectTimeout().toMillis()) + "\n"
                + "max-time=" + seconds(config.ssh().connectTimeout().plus(config.ssh().timeout()).toMillis()) + "\n"
                + "ca-file=" + (ca == null ? "" : ca.toAbsolutePath()) + "\n";
        Path work = config.workDir();
        Path temp = work.resolve(FILE + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, work.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Before any poll of the agent's own and when the daemon starts: the launcher must start the agent. */
    public static void remove(Path work) throws IOException {
        Files.deleteIfExists(work.resolve(FILE));
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000);
    }
}
