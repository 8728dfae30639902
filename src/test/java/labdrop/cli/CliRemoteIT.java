package labdrop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import labdrop.app.TestLab;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host and request commands against a remote server's API (--server, --token-file): same output, same exit codes. */
class CliRemoteIT {
    @TempDir
    Path dir;
    TestLab lab;
    String url;
    Path adminToken;
    Path tessToken;
    Path localConf;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        url = "http://127.0.0.1:" + lab.app.httpPort();
        adminToken = Files.writeString(dir.resolve("admin.token"), lab.s.accounts().newToken("admin", "cli") + "\n");
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-1".toCharArray());
        tessToken = Files.writeString(dir.resolve("tess.token"), lab.s.accounts().newToken("tess", "cli") + "\n");
        // The CLI's own server.conf names another state folder: with --server it must never be opened.
        localConf = Files.writeString(dir.resolve("server.conf"), "state.dir = " + dir.resolve("local-state") + "\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Run labdrop(Path token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--conf=" + localConf);
        all.add("--server=" + url);
        all.add("--token-file=" + token);
        InProcessCli.Run run = InProcessCli.run(all);
        return new Run(run.code(), run.out(), run.err());
    }

    @Test
    void anAdminAndATesterWorkThroughTheApiWithTheLocalOutputAndExitCodes() throws Exception {
        assertThat(labdrop(adminToken, "host", "add", "sut-r1", "--active", "--owner", "olive", "--labels", "x86,rack-2").out())
                .contains("added host sut-r1 (Available, type default)");
        assertThat(labdrop(adminToken, "host", "set", "sut-r1", "--labels", "x86").code()).isZero();
        assertThat(lab.s.hosts().show("sut-r1").labels()).isEqualTo("x86");
        assertThat(labdrop(tessToken, "host", "list").out()).contains("sut-r1").contains("Available").contains("olive");

        assertThat(labdrop(tessToken, "request", "file", "--host", "sut-r1", "--test", "dbench:-t 60", "--priority", "high").out())
                .isEqualTo("r-1 Placed\n");
        assertThat(labdrop(tessToken, "request", "file", "--host", "sut-r1", "--test", "dbench").out()).isEqualTo("r-2 Queued\n");
        labdrop(tessToken, "request", "file", "--host", "sut-r1", "--test", "dbench", "--priority", "low");
        assertThat(lab.s.desk().find("r-1").requester()).as("filed as the token's user").isEqualTo("tess");

        Run moved = labdrop(tessToken, "request", "move", "r-3", "top");
        assertThat(moved.code()).isEqualTo(ExitCodes.FORBIDDEN);
        assertThat(moved.err()).contains("may not reorder the queue of host 'sut-r1'");
        assertThat(labdrop(adminToken, "request", "move", "r-3", "top").out()).isEqualTo("r-3 Queued normal\n");

        Run shown = labdrop(tessToken, "request", "show", "r-1");
        assertThat(shown.out()).contains("request").contains("r-1").contains("dbench -t 60").contains("Placed");
        assertThat(labdrop(tessToken, "request", "list", "--host", "sut-r1", "--state", "Queued").out())
                .contains("r-2").contains("r-3").doesNotContain("r-1 ");
        assertThat(labdrop(tessToken, "request", "cancel", "r-1").out()).isEqualTo("r-1 Cancelled\n");
        assertThat(labdrop(tessToken, "host", "show", "sut-r1").out()).contains("Pending").contains("config/directions");

        Run maint = labdrop(tessToken, "host", "maint", "sut-r1");
        assertThat(maint.code()).isEqualTo(ExitCodes.FORBIDDEN);
        assertThat(maint.err()).contains("only admins");
        assertThat(labdrop(adminToken, "host", "maint", "sut-r1").out()).isEqualTo("host sut-r1 is Maint\n");
        assertThat(dir.resolve("local-state")).as("the local store was never opened").doesNotExist();
    }

    @Test
    void badTokensUnreachableServersAndLocalOnlyOptionsAreNamed() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong.token"), "ldt_nope\n");
        Run refused = labdrop(wrong, "host", "list");
        assertThat(refused.code()).isEqualTo(ExitCodes.FORBIDDEN);
        assertThat(refused.err()).contains("the server refused the token");

        Run as = labdrop(tessToken, "request", "file", "--host", "sut-x", "--test", "dbench", "--as", "bob");
        assertThat(as.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(as.err()).contains("--as cannot be used with --server");

        Run tokenCmd = labdrop(adminToken, "host", "token", "sut-x");
        assertThat(tokenCmd.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(tokenCmd.err()).contains("works on the store only");

        url = "http://127.0.0.1:1";
        Run down = labdrop(tessToken, "host", "list");
        assertThat(down.code()).isEqualTo(ExitCodes.INFRASTRUCTURE);
        assertThat(down.err()).contains("cannot reach the server at http://127.0.0.1:1/api/v1");
    }
}
