package labdrop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.app.TestLab;
import labdrop.host.HostState;
import labdrop.web.LocalAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on the server host (docs/cli.md "On the server host"): while the server runs, a command
 * without --server goes to it over its loopback connector with the key from
 * {@code <state.dir>/local-api}, acting as {@code --as}; when no server runs (stopped, or killed
 * and its file left behind) the command opens the store as before. The key works on that
 * connector only.
 */
class ServerHostCliIT {
    static final Pattern POSTS = Pattern.compile(
            "jetty_server_requests_seconds_count\\{method=\"POST\",outcome=\"SUCCESS\",status=\"20\\d\"} (\\d+)");
    final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    TestLab lab;

    @AfterEach
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    Path state() {
        return dir.resolve("server");
    }

    long postsServed() throws Exception {
        String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.app.httpPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = POSTS.matcher(scrape);
        long posts = 0;
        while (m.find()) {
            posts += Long.parseLong(m.group(1));
        }
        return posts;
    }

    @Test
    void commandsGoThroughTheRunningServerAsTheNamedAdmin() throws Exception {
        lab = new TestLab(state(), null, Map.of());
        lab.addActive("sut-1");
        Path file = state().resolve(LocalAccess.FILE);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(postsServed()).isZero();

        ChildCli.Result maint = ChildCli.run(state(), "host", "maint", "sut-1", "--as", "alice");
        assertThat(maint.code()).as(maint.err()).isZero();
        assertThat(maint.out()).contains("host sut-1 is Maint");
        assertThat(lab.host("sut-1").state()).isEqualTo(HostState.MAINT);
        // the change went through the server's HTTP API, not around it through the store
        assertThat(postsServed()).isEqualTo(1);

        ChildCli.Result filed = ChildCli.run(state(), "request", "file", "--host", "sut-1", "--test", "dbench", "--as", "alice");
        assertThat(filed.code()).as(filed.err()).isZero();
        String id = filed.out().replaceAll("(?s).*?\\b(r-\\d+)\\b.*", "$1");
        assertThat(lab.request(id).requester()).isEqualTo("alice");
        assertThat(postsServed()).isEqualTo(2);

        // a read-only command answers the same, and an error keeps its exit code
        assertThat(ChildCli.run(state(), "host", "list").out()).contains("sut-1").contains("Maint");
        ChildCli.Result missing = ChildCli.run(state(), "host", "show", "no-such-host");
        assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err()).contains("no-such-host");
    }

    @Test
    void theKeyWorksOnTheLoopbackConnectorOnlyAndNamesWhoActs() throws Exception {
        lab = new TestLab(state(), null, Map.of());
        String text = Files.readString(state().resolve(LocalAccess.FILE));
        String url = text.replaceAll("(?s).*url = (\\S+).*", "$1");
        String key = text.replaceAll("(?s).*key = (\\S+).*", "$1");
        String publicUrl = "http://127.0.0.1:" + lab.app.httpPort();
        assertThat(url).startsWith("http://127.0.0.1:").isNotEqualTo(publicUrl);

        assertThat(get(url, "Local " + key, "carol").statusCode()).isEqualTo(200);
        HttpResponse<String> onPublic = get(publicUrl, "Local " + key, "carol");
        assertThat(onPublic.statusCode()).isEqualTo(401);
        assertThat(get(url, "Local not-the-key", "carol").statusCode()).isEqualTo(401);
        HttpResponse<String> nobody = get(url, "Local " + key, null);
        assertThat(nobody.statusCode()).isEqualTo(400);
        assertThat(nobody.body()).contains(LocalAccess.AS_HEADER);

        // a key that no longer matches is named, with what to do
        Files.writeString(state().resolve(LocalAccess.FILE), text.replace(key, "stale-key"));
        ChildCli.Result stale = ChildCli.run(state(), "host", "list");
        assertThat(stale.code()).isEqualTo(ExitCodes.FORBIDDEN);
        assertThat(stale.err()).contains("refused the key in <state.dir>/local-api").contains("run the command again");
        Files.writeString(state().resolve(LocalAccess.FILE), text);

        // renewed at every start, removed at a clean stop
        lab.close();
        lab = null;
        assertThat(state().resolve(LocalAccess.FILE)).doesNotExist();
        lab = new TestLab(state(), null, Map.of());
        assertThat(Files.readString(state().resolve(LocalAccess.FILE))).doesNotContain(key);
    }

    @Test
    void withNoServerRunningTheCommandOpensTheStore() throws Exception {
        lab = new TestLab(state(), null, Map.of());
        lab.addActive("sut-1");
        String left = Files.readString(state().resolve(LocalAccess.FILE));
        lab.close();
        lab = null;
        // a server killed with SIGKILL leaves its file behind: its process is gone, so the file is not believed
        Files.writeString(state().resolve(LocalAccess.FILE), left.replaceAll("pid = \\d+", "pid = " + deadPid()));

        ChildCli.Result maint = ChildCli.run(state(), "host", "maint", "sut-1", "--as", "alice");
        assertThat(maint.code()).as(maint.err()).isZero();
        assertThat(maint.out()).contains("host sut-1 is Maint");
        ChildCli.Result list = ChildCli.run(state(), "host", "list");
        assertThat(list.out()).contains("sut-1").contains("Maint");
    }

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    HttpResponse<String> get(String base, String authorization, String as) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts")).header("Authorization", authorization);
        if (as != null) {
            b.header(LocalAccess.AS_HEADER, as);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
