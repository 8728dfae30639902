package labdrop.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import labdrop.agent.AgentConfig;
import labdrop.config.ConfigException;
import labdrop.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cron typo stops start-up with the file and line, for the server's and the agent's keys. */
class CronsTest {
    @TempDir
    Path dir;

    @Test
    void quartzDecidesWhatIsACron() {
        assertThat(Crons.check("0 0/2 * * * ?")).isEqualTo("0 0/2 * * * ?");
        assertThatThrownBy(() -> Crons.check("0/30 * * * *")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Crons.check("0 0/2 * * * *")).as("both days given: Quartz wants one '?'")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTypoInWatchdogCronNamesTheFileAndLine() throws Exception {
        Path conf = Files.writeString(dir.resolve("server.conf"), "state.dir = " + dir + "\n\nwatchdog.cron = 0/30 * * * *\n");
        ServerConfig config = ServerConfig.load(conf, Map.of());
        assertThatThrownBy(() -> Crons.checkServer(config)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(conf + ":3: key 'watchdog.cron' has the value '0/30 * * * *'")
                .hasMessageContaining("Quartz cron expression");
        Crons.checkServer(ServerConfig.load(null, Map.of("LABDROP_STATE_DIR", dir.toString())));
    }

    @Test
    void aTypoInTheAgentsScheduleNamesTheFileAndLine() throws Exception {
        Path conf = Files.writeString(dir.resolve("agent.conf"), "schedule.cron = every 2 minutes\n");
        assertThatThrownBy(() -> AgentConfig.load(conf, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(conf + ":1: key 'schedule.cron' has the value 'every 2 minutes'")
                .hasMessageContaining("Quartz cron expression");
    }
}
