package labdrop.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH audit log stays bounded: past its size it rotates, keeping the newest N files, every line whole. */
class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void pastItsSizeTheLogRotatesAndKeepsTheNewestFiles() throws Exception {
        Path file = dir.resolve("audit/ssh-audit.log");
        Clock clock = Clock.fixed(Instant.parse("2026-12-05T10:00:00Z"), ZoneOffset.UTC);
        try (AuditLog log = new AuditLog(file, 2_000, 3, clock)) {
            for (int i = 0; i < 400; i++) {
                log.record("write", "sut-" + i, "SHA256:abc", "/127.0.0.1:5000", "sut-" + i + "/state_file");
            }
        }
        assertThat(file).exists();
        assertThat(file.resolveSibling("ssh-audit.log.1")).exists();
        assertThat(file.resolveSibling("ssh-audit.log.2")).exists();
        assertThat(file.resolveSibling("ssh-audit.log.3")).exists();
        assertThat(file.resolveSibling("ssh-audit.log.4")).as("only ssh.audit-keep files are kept").doesNotExist();
        List<String> lines = new ArrayList<>();
        for (String name : List.of("ssh-audit.log.3", "ssh-audit.log.2", "ssh-audit.log.1", "ssh-audit.log")) {
            Path part = file.resolveSibling(name);
            assertThat(Files.size(part)).as(name).isLessThan(2_000 + 200);
            lines.addAll(Files.readAllLines(part));
        }
        assertThat(lines).allMatch(l -> l.matches("2026-12-05T10:00:00Z write user=sut-\\d+ key=SHA256:abc "
                + "from=/127.0.0.1:5000 sut-\\d+/state_file"));
        assertThat(lines.get(lines.size() - 1)).contains("user=sut-399 ");
        // What is kept is the newest, in order, with nothing lost between the files kept.
        int first = Integer.parseInt(lines.get(0).replaceAll(".*user=sut-(\\d+) .*", "$1"));
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i)).contains("user=sut-" + (first + i) + " ");
        }
    }

    @Test
    void anExistingLogIsAppendedTo() throws Exception {
        Path file = dir.resolve("ssh-audit.log");
        Files.writeString(file, "earlier line\n");
        try (AuditLog log = new AuditLog(file, 1_000_000, 2, Clock.systemUTC())) {
            log.record("login", "sut-1", "SHA256:k", "/127.0.0.1:1", "host sut-1");
        }
        assertThat(Files.readAllLines(file)).hasSize(2).first().isEqualTo("earlier line");
    }
}
