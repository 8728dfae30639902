package labdrop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import labdrop.app.TestLab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that works both ways, run on the server host (the admin's CLI in its own JVM beside
 * the running server, which it asks through the loopback connector as {@code --as}) and through the
 * server's API (--server, an admin's token), against one lab: the same output and the same exit
 * code. Mutations run on twin hosts (sut-l on the server host, sut-r with --server); times and
 * request numbers are the only things allowed to differ.
 */
class CliBothWaysIT {
    @TempDir
    Path dir;
    TestLab lab;
    String url;
    Path token;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        url = "http://127.0.0.1:" + lab.app.httpPort();
        token = Files.writeString(dir.resolve("admin.token"), lab.s.accounts().newToken("admin", "cli") + "\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Run onTheServerHost(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--as=admin");
        ChildCli.Result r = ChildCli.run(dir.resolve("server"), all.toArray(String[]::new));
        return new Run(r.code(), r.out(), r.err());
    }

    Run throughTheApi(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + url);
        all.add("--token-file=" + token);
        InProcessCli.Run run = InProcessCli.run(all);
        return new Run(run.code(), run.out(), run.err());
    }

    /** What may differ between the twins: which twin, times, request numbers. */
    static String normal(String text) {
        return text.replace("sut-l", "sut-X").replace("sut-r", "sut-X")
                // a time's length varies (Instant drops trailing zeros), and so does the padding after it in a table
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z( +(?=\\S))?", "<time> ")
                .replaceAll("\\br-\\d+\\b", "r-N");
    }

    /** What the command said on stderr, without log lines (the server runs in this JVM and logs there too). */
    static String said(String err) {
        return normal(err.lines().filter(l -> !l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR) .*"))
                .map(l -> l + "\n").reduce("", String::concat));
    }

    /** Runs {@code args} on sut-l on the server host and on sut-r with --server; both must answer alike. */
    Run both(String... args) throws Exception {
        return compare(List.of(args).stream().map(a -> a.replace("sut-X", "sut-l")).toList(),
                List.of(args).stream().map(a -> a.replace("sut-X", "sut-r")).toList());
    }

    /** The same request command on sut-l's request {@code local} (server host) and sut-r's {@code remote} (--server). */
    Run bothIds(String command, String verb, int local, int remote, String... more) throws Exception {
        List<String> l = new ArrayList<>(List.of(command, verb, "r-" + local));
        List<String> r = new ArrayList<>(List.of(command, verb, "r-" + remote));
        l.addAll(List.of(more));
        r.addAll(List.of(more));
        return compare(l, r);
    }

    private Run compare(List<String> local, List<String> remote) throws Exception {
        Run l = onTheServerHost(local.toArray(String[]::new));
        Run r = throughTheApi(remote.toArray(String[]::new));
        String what = "labdrop " + String.join(" ", local);
        assertThat(r.code()).as(what + ": exit codes (server host: %s, --server: %s)", l.err(), r.err()).isEqualTo(l.code());
        assertThat(normal(r.out())).as(what + ": output").isEqualTo(normal(l.out()));
        assertThat(said(r.err())).as(what + ": errors").isEqualTo(said(l.err()));
        transcript.append("$ ").append(what).append("  (exit ").append(l.code()).append(")\n").append(normal(l.out()))
                .append(said(l.err()));
        return l;
    }

    final StringBuilder transcript = new StringBuilder();

    @Test
    void everyCommandAnswersTheSameOnTheStoreAndThroughTheApi() throws Exception {
        both("host", "add", "sut-X", "--active", "--owner", "olive", "--labels", "x86,rack-2", "--hard-reset-command", "true");
        both("host", "set", "sut-X", "--labels", "x86", "--owner", "admin", "--owner-only", "true");
        both("host", "maint", "sut-X");
        both("host", "activate", "sut-X");
        both("host", "health", "sut-X");
        both("host", "show", "sut-X");
        assertThat(normal(throughTheApi("host", "list").out())).as("host list").isEqualTo(normal(onTheServerHost("host", "list").out()));

        // Each twin gets two requests: the first is placed, the second queued behind it.
        Run first = both("request", "file", "--host", "sut-X", "--test", "dbench:-t 60", "--priority", "high");
        assertThat(first.out()).isEqualTo("r-1 Placed\n");
        Run second = both("request", "file", "--host", "sut-X", "--test", "dbench:-t 5", "--repo-url", "http://builds.example.org/r7/");
        assertThat(second.out()).isEqualTo("r-3 Queued\n");
        // sut-l holds r-1 (placed) and r-3 (queued); sut-r holds r-2 (placed) and r-4 (queued).
        Run shown = bothIds("request", "show", 1, 2);
        assertThat(shown.out()).contains("state:").contains("dbench -t 60");
        assertThat(bothIds("request", "show", 3, 4).out()).contains("repository:").contains("builds.example.org");
        both("request", "list", "--host", "sut-X");
        assertThat(bothIds("request", "move", 3, 4, "top").out()).isEqualTo("r-3 Queued normal\n");
        assertThat(bothIds("request", "cancel", 3, 4).out()).isEqualTo("r-3 Cancelled\n");
        bothIds("request", "cancel", 3, 4);

        // Refusals: the same exit code and message either way.
        both("host", "show", "sut-nosuch");
        both("request", "file", "--host", "sut-X", "--test", "dbench", "--priority", "asap");
        bothIds("request", "show", 998, 999);
        both("host", "retire", "sut-X");
        both("host", "show", "sut-X");
        System.out.println(transcript);
    }
}
