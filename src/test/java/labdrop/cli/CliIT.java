package labdrop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import labdrop.app.SamplePackages;
import labdrop.app.TestLab;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as an admin or tester uses it: real store and drop, exit codes and messages. */
class CliIT {
    @TempDir
    Path dir;
    Path conf;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void conf() throws Exception {
        conf = Files.writeString(dir.resolve("server.conf"), "state.dir = " + dir.resolve("state") + "\n");
        SamplePackages.publish(dir.resolve("state/packages/builtin"), "dbench", "kernbench");
    }

    Run labdrop(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        int at = all.size();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("--")) {
                at = i;
                break;
            }
        }
        if (!List.of(args).contains("--help")) {
            all.add(at, "--conf=" + conf);
        }
        return capture(all);
    }

    /** A command that takes no --conf (the pkg commands work on folders). */
    Run folderCommand(String... args) {
        return capture(List.of(args));
    }

    Run capture(List<String> all) {
        InProcessCli.Run run = InProcessCli.run(all);
        return new Run(run.code(), run.out(), run.err());
    }

    @Test
    void adminAddsHostsAndTesterFilesListsShowsAndCancels() throws Exception {
        assertThat(labdrop("host", "add", "sut-01").out()).contains("added host sut-01 (Maint, type default)");
        assertThat(labdrop("host", "add", "sut-02", "--active", "--owner", "alice").code()).isZero();
        Run filed = labdrop("request", "file", "--host", "sut-02", "--test", "dbench:-t 60", "--test", "kernbench",
                "--priority", "high", "--repo-url", "http://builds.example.org/r7/", "--as", "bob");
        assertThat(filed.out()).startsWith("r-1 Placed");
        assertThat(dir.resolve("state/drop/sut-02/current/r-1.xml")).content().contains("<arg>-t</arg>")
                .containsPattern("<package type=\"test\" name=\"dbench\" sha256=\"[0-9a-f]{64}\" size=\"[0-9]+\" file=\"test-dbench.tar.bz2\"/>")
                .contains("<packages repository=\"http://builds.example.org/r7/\">");
        assertThat(labdrop("request", "file", "--host", "sut-02", "--test", "dbench", "--repo-url", "ftp://x/", "--as", "bob").err())
                .contains("repository URL 'ftp://x/' is not an http://, https:// or file:// URL");
        assertThat(labdrop("request", "file", "--host", "sut-01", "--test", "dbench", "--as", "bob").out())
                .startsWith("r-2 Queued");
        assertThat(labdrop("request", "list", "--host", "sut-02").out()).contains("r-1").doesNotContain("r-2 ");
        assertThat(labdrop("request", "show", "r-1").out()).contains("Placed").contains("dbench -t 60");
        assertThat(labdrop("host", "show", "sut-02").out()).contains("Pending").contains("config/directions:   valid");
        assertThat(labdrop("request", "cancel", "r-1", "--as", "bob").out()).contains("r-1 Cancelled");
        assertThat(dir.resolve("state/drop/sut-02/current/r-1.xml")).doesNotExist();
        assertThat(labdrop("host", "activate", "sut-01").out()).contains("is Pending");
        assertThat(dir.resolve("state/drop/sut-01/current/r-2.xml")).exists();
    }

    @Test
    void ownerOnlyRejectionExitsFourWithTheReason() {
        labdrop("host", "add", "sut-03", "--active", "--owner", "alice", "--owner-only");
        Run refused = labdrop("request", "file", "--host", "sut-03", "--test", "dbench", "--as", "mallory");
        assertThat(refused.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(refused.out()).contains("Rejected").contains("owner-only").contains("'alice'");
    }

    @Test
    void aPoolRequestRunsOnAFreeHostOfTheTypeAndAnImpossibleOneIsRefused() {
        labdrop("host", "add", "sut-04", "--active", "--labels", "usb3");
        Run pool = labdrop("request", "file", "--type", "default", "--label", "usb3", "--test", "dbench", "--as", "bob");
        assertThat(pool.code()).as(pool.err()).isZero();
        assertThat(pool.out()).isEqualTo("r-1 Placed\n");
        assertThat(labdrop("request", "show", "r-1").out()).contains("host:                sut-04")
                .contains("pool:                default+usb3");
        Run queued = labdrop("request", "file", "--type", "default", "--test", "dbench", "--as", "bob");
        assertThat(queued.out()).isEqualTo("r-2 Queued\n");
        assertThat(labdrop("request", "list").out()).contains("pool:default ");
        Run impossible = labdrop("request", "file", "--type", "default", "--label", "gpu", "--test", "dbench", "--as", "bob");
        assertThat(impossible.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(impossible.err()).contains("no host of type 'default' has the labels gpu").contains("sut-04 [usb3]");
        Run both = labdrop("request", "file", "--host", "sut-04", "--type", "default", "--test", "dbench", "--as", "bob");
        assertThat(both.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(both.err()).contains("give one of them");
        assertThat(labdrop("request", "file", "--label", "usb3", "--test", "dbench", "--as", "bob").err())
                .contains("--label narrows a pool: give --type TYPE with it");

        Run tooMany = labdrop("request", "file", "--type", "default", "--hosts", "2", "--test", "dbench", "--as", "bob");
        assertThat(tooMany.code()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(tooMany.err()).contains("pool default has 1 host that can take your work (sut-04)");
        Run job = labdrop("request", "file", "--type", "default", "--hosts", "1", "--test", "dbench", "--as", "bob");
        assertThat(job.code()).as(job.err()).isZero();
        assertThat(job.out()).isEqualTo("j-1 Queued: r-3 Queued\n");
        assertThat(labdrop("job", "show", "j-1").out()).isEqualTo("j-1 Queued: r-3 Queued\n");
        assertThat(labdrop("job", "cancel", "j-1", "--as", "bob").out()).isEqualTo("j-1 Cancelled: r-3 Cancelled\n");
        assertThat(labdrop("job", "show", "j-9").code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(labdrop("request", "list", "--job", "j-1").out().lines().skip(1).toList())
                .singleElement().satisfies(line -> assertThat(line).startsWith("r-3 "));
        labdrop("request", "file", "--host", "sut-04", "--test", "dbench", "--as", "carol");
        assertThat(labdrop("request", "list", "--type", "default").out().lines().count()).as("header and 4").isEqualTo(5);
        assertThat(labdrop("request", "list", "--mine", "--as", "carol").out().lines().skip(1).toList())
                .singleElement().satisfies(line -> assertThat(line).startsWith("r-4 ").contains("carol"));
        assertThat(labdrop("request", "list", "--type", "nosuch").out().lines().count()).isEqualTo(1);
        assertThat(labdrop("request", "list", "--job", "r-1").err()).contains("is not a job id");
        assertThat(labdrop("request", "list", "--search", "CAROL").out().lines().skip(1).toList()).as("case aside")
                .singleElement().satisfies(line -> assertThat(line).startsWith("r-4 "));
        assertThat(labdrop("request", "list", "--test", "dbench", "--limit", "2", "--offset", "1").out().lines().skip(1)
                .map(l -> l.split(" ")[0]).toList()).as("the second page of two").containsExactly("r-3", "r-2");
        assertThat(labdrop("request", "list", "--search", "x".repeat(101)).err()).contains("at most 100");
    }

    @Test
    void hostileNamesAreRefusedWithTheInputAndTheRuleAndTouchNothing() throws Exception {
        for (String name : List.of("../etc", "a/b", "%2e%2e", "UPPER", "x".repeat(64))) {
            Run run = labdrop("host", "add", name);
            assertThat(run.code()).as(name).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.err()).as(name).contains("labdrop host add: host name '").contains("[a-z0-9][a-z0-9._-]{0,62}");
        }
        Run show = labdrop("request", "show", "r-%2e%2e");
        assertThat(show.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(show.err()).contains("no request 'r-%2e%2e'");
        assertThat(labdrop("request", "file", "--host", "../../tmp", "--test", "x", "--as", "bob").err())
                .contains("host name '../../tmp' is not valid");
        assertThat(dir.resolve("state/drop")).as("no host folder was created").doesNotExist();
        labdrop("host", "add", "sut-05", "--active");
        Run unknown = labdrop("request", "file", "--host", "sut-05", "--test", "nosuchtest", "--as", "bob");
        assertThat(unknown.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unknown.err()).contains("no repository holds the test package 'nosuchtest'")
                .contains("labdrop pkg build SRC --type test --name nosuchtest");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("server.conf", "state");
        }
        try (var files = Files.list(dir.resolve("state/drop"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("sut-05");
        }
        assertThat(labdrop("host", "add", "sut-04", "--type", "gpu").err())
                .contains("host type 'gpu' does not exist").contains("Known types: default");
    }

    @Test
    void badConfigurationStopsTheCommandNamingFileLineAndKey() throws Exception {
        Files.writeString(conf, "state.dir = " + dir + "\nwatchdog.hartbeat = 5m\n");
        Run run = labdrop("host", "list");
        assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(conf + ":2").contains("unknown key 'watchdog.hartbeat'");
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : List.of(new String[] {"--help"}, new String[] {"server", "--help"},
                new String[] {"host", "add", "--help"}, new String[] {"request", "file", "--help"},
                new String[] {"host", "config", "set", "--help"}, new String[] {"demo", "--help"})) {
            Run run = labdrop(cmd);
            assertThat(run.code()).isZero();
            assertThat(run.out()).contains("Usage: labdrop");
        }
    }

    @Test
    void hostResetRunsTheCommandEvenWhenItPrintsALot() {
        labdrop("host", "add", "sut-r1", "--hard-reset-command", "head -c 200000 /dev/zero | tr '\\0' x; echo; echo cycled $LABDROP_HOST");
        Run reset = labdrop("host", "reset", "sut-r1");
        assertThat(reset.code()).isZero();
        assertThat(reset.out()).contains("hard reset exit 0");
        Run none = labdrop("host", "reset", "sut-01-missing");
        assertThat(none.code()).isEqualTo(ExitCodes.NOT_FOUND);
    }

    static String shownOnce(Run run) {
        return run.out().lines().filter(l -> l.startsWith("password (shown once): ")).findFirst().orElseThrow()
                .substring("password (shown once): ".length());
    }

    @Test
    void userCommandsManageAccountsAndARemovedUsersTokenIsRefusedByTheApi() throws Exception {
        try (TestLab lab = new TestLab(dir.resolve("state"), null, Map.of())) {
            Run add = labdrop("user", "add", "carol", "--role", "tester");
            assertThat(add.code()).as(add.err()).isZero();
            String first = shownOnce(add);
            assertThat(lab.s.accounts().logIn("carol", first.toCharArray())).isPresent();
            Run passwd = labdrop("user", "passwd", "carol");
            assertThat(passwd.code()).isZero();
            String second = shownOnce(passwd);
            assertThat(lab.s.accounts().logIn("carol", first.toCharArray())).as("the old password").isEmpty();
            assertThat(lab.s.accounts().logIn("carol", second.toCharArray())).isPresent();
            Run token = labdrop("user", "token", "carol", "--label", "ci");
            assertThat(token.code()).isZero();
            String bearer = token.out().strip();
            HttpClient http = HttpClient.newHttpClient();
            URI me = URI.create("http://127.0.0.1:" + lab.app.httpPort() + "/api/v1/me");
            assertThat(http.send(HttpRequest.newBuilder(me).header("Authorization", "Bearer " + bearer).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("\"carol\"");
            Run list = labdrop("user", "list");
            assertThat(list.out()).contains("carol");
            Run remove = labdrop("user", "remove", "carol");
            assertThat(remove.code()).isZero();
            assertThat(http.send(HttpRequest.newBuilder(me).header("Authorization", "Bearer " + bearer).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("a removed user's token").isEqualTo(401);
            assertThat(lab.s.accounts().logIn("carol", second.toCharArray())).isEmpty();
        }
    }

    @Test
    void pkgListAndRemoveRewriteTheIndexAndThePackageLeavesTheForm() throws Exception {
        Path builtin = dir.resolve("state/packages/builtin");
        try (TestLab lab = new TestLab(dir.resolve("state"), null, Map.of())) {
            String token = lab.s.accounts().newToken("admin", "cli");
            HttpClient http = HttpClient.newHttpClient();
            URI packages = URI.create("http://127.0.0.1:" + lab.app.httpPort() + "/api/v1/packages");
            HttpRequest offered = HttpRequest.newBuilder(packages).header("Authorization", "Bearer " + token).build();
            assertThat(http.send(offered, HttpResponse.BodyHandlers.ofString()).body()).contains("\"kernbench\"");

            Run list = folderCommand("pkg", "list", builtin.toString());
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains("test-dbench.tar.bz2").contains("test-kernbench.tar.bz2");
            Run remove = folderCommand("pkg", "remove", builtin.toString(), "test-kernbench.tar.bz2");
            assertThat(remove.code()).as(remove.out() + remove.err()).isZero();
            assertThat(builtin.resolve("test-kernbench.tar.bz2")).doesNotExist();
            assertThat(Files.readString(builtin.resolve("packages.checksum"))).doesNotContain("kernbench")
                    .contains("test-dbench.tar.bz2");
            Process md5 = new ProcessBuilder("md5sum", "-c", "packages.checksum").directory(builtin.toFile())
                    .redirectErrorStream(true).start();
            String checked = new String(md5.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(md5.waitFor()).as("md5sum -c on the rewritten index: " + checked).isZero();
            assertThat(folderCommand("pkg", "list", builtin.toString()).out()).doesNotContain("kernbench");
            assertThat(http.send(offered, HttpResponse.BodyHandlers.ofString()).body()).as("the form's test list")
                    .doesNotContain("\"kernbench\"").contains("\"dbench\"");
        }
    }
}
