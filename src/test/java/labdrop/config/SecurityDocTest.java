package labdrop.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.agent.AgentConfig;
import org.junit.jupiter.api.Test;

/** docs/security.md's boundary table names real configuration keys with their real defaults. */
class SecurityDocTest {
    private static final Pattern LIMIT = Pattern.compile("`([a-z0-9_.-]+)` = ([^ ,;|]+)");

    @Test
    void everyLimitInTheBoundaryTableIsAConfigurationKeyWithThatDefault() throws Exception {
        Map<String, String> defaults = new HashMap<>();
        ServerConfig.SETTINGS.forEach(s -> defaults.put(s.key(), s.defaultText()));
        AgentConfig.SETTINGS.forEach(s -> defaults.putIfAbsent(s.key(), s.defaultText()));
        String doc = Files.readString(Path.of("docs/security.md"));
        int start = doc.indexOf("## Trust boundaries and their limits");
        String table = doc.substring(start, doc.indexOf("\n## ", start + 5));
        List<String> named = new ArrayList<>();
        for (String row : table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| boundary")).toList()) {
            Matcher m = LIMIT.matcher(row);
            while (m.find()) {
                named.add(m.group(1));
                assertThat(defaults).as("docs/security.md names `%s`", m.group(1)).containsKey(m.group(1));
                assertThat(m.group(2)).as("the default of %s", m.group(1)).isEqualTo(defaults.get(m.group(1)));
            }
        }
        assertThat(named).as("the table names the limits an admin can set").contains("ingest.max-state-bytes",
                "ingest.max-seq-ahead", "ssh.quota-bytes", "ssh.quota-files", "ssh.max-sessions-per-key",
                "fetch.deadline", "fetch.max-index-bytes", "ingest.quarantine-bytes-per-host", "api.max-upload-bytes");
    }
}
