package labdrop.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code systemd-analyze security} on every unit the docs install: the server stays within its
 * sandbox's score, the agents' scores are the ones docs/security.md explains (root, no sandbox,
 * on purpose), and every figure in the docs is the one systemd prints today.
 */
class SystemdUnitsIT {
    /** The highest exposure each unit may have: the server and the gateway are sandboxed; the agents run tests as root. */
    private static final Map<String, Double> CEILING = Map.of(
            "labdrop-server.service", 2.0,
            "labdrop-gateway.service", 2.0,
            "labdrop-agent.service", 9.6,
            "labdrop-agent-once.service", 9.6);

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"labdrop-server.service", "labdrop-gateway.service", "labdrop-agent.service", "labdrop-agent-once.service"})
    void eachUnitScoresWhatTheDocsSay(String unit) throws Exception {
        Path file = Path.of("systemd", unit).toAbsolutePath();
        // --threshold is the exposure in tenths: 20 refuses anything above 2.0.
        String out = run("systemd-analyze", "security", "--offline=true",
                "--threshold=" + Math.round(CEILING.get(unit) * 10), file.toString());
        Matcher m = Pattern.compile("Overall exposure level for " + Pattern.quote(unit) + ": (\\d+\\.\\d)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        double score = Double.parseDouble(m.group(1));
        assertThat(score).as(unit + " exposure").isLessThanOrEqualTo(CEILING.get(unit));
        assertThat(out).as("systemd-analyze's own --threshold check").startsWith("0\n");
        assertThat(Files.readString(Path.of("docs/security.md"))).as("docs/security.md names the score of " + unit)
                .contains("`" + unit + "` " + m.group(1));
    }
}
