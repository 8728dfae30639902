package labdrop.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import labdrop.app.TestLab;
import labdrop.cli.ChildCli;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} and {@code labdrop server status} against real failures: the drop on a small
 * tmpfs made full and then read-only (which also stalls the placer), and the store on a private
 * PostgreSQL cluster that is stopped and started again. Each failure is named, and the answer
 * goes back to 200 when it is fixed. Needs root (mount, runuser), as the README's test command has.
 */
class ReadinessIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    TestLab lab;
    Path mounted;
    Path pg;
    Path pgData;
    String pgBin;

    @AfterEach
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
        if (mounted != null) {
            sh("umount", "-l", mounted.toString());
        }
        if (pgData != null) {
            new ProcessBuilder("runuser", "-u", "postgres", "--", pgBin + "/pg_ctl", "-D", pgData.toString(), "-m",
                    "immediate", "stop").redirectErrorStream(true).start().waitFor();
        }
        if (pg != null) {
            sh("rm", "-rf", pg.toString());
        }
    }

    static String sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    record Answer(int status, JsonNode body) {
        List<String> failing() {
            List<String> names = new ArrayList<>();
            body.get("failing").forEach(n -> names.add(n.asText()));
            return names;
        }

        String detail(String check) {
            for (JsonNode c : body.get("checks")) {
                if (c.get("name").asText().equals(check)) {
                    return c.get("detail").asText();
                }
            }
            throw new AssertionError("no check " + check + " in " + body);
        }
    }

    Answer readyz() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JSON.readTree(r.body()));
    }

    String base() {
        return "http://127.0.0.1:" + lab.app.httpPort();
    }

    Answer awaitAnswer(int status, List<String> failing) {
        Answer[] last = new Answer[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = readyz();
            return last[0].status() == status && last[0].failing().containsAll(failing)
                    && (status == 200 || !failing.isEmpty());
        });
        return last[0];
    }

    @Test
    void readyzNamesAFullDiskAndAReadOnlyDropThatStallsThePlacerAndRecovers() throws Exception {
        mounted = Files.createDirectories(dir.resolve("drop"));
        sh("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mounted.toString());
        lab = new TestLab(dir.resolve("state"), null, Map.of("LABDROP_DROP_DIR", mounted.toString(),
                "LABDROP_READY_MIN_FREE_BYTES", "4194304", "LABDROP_READY_MAX_PLACER_LAG", "2s"));
        lab.addActive("sut-r");
        Answer ok = awaitAnswer(200, List.of());
        List<String> names = new ArrayList<>();
        ok.body().get("checks").forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).containsExactly("store", "drop", "disk", "placer", "ssh");
        assertThat(ok.body().get("ready").asBoolean()).isTrue();

        // Free space below ready.min-free-bytes: only the disk check fails, and says what to do.
        Path filler = mounted.resolve("filler");
        Files.write(filler, new byte[13 * 1024 * 1024]);
        Answer full = awaitAnswer(503, List.of("disk"));
        assertThat(full.failing()).containsExactly("disk");
        assertThat(full.detail("disk")).contains(mounted.toString()).contains("ready.min-free-bytes");
        ChildCli.Result status = ChildCli.run(dir.resolve("state"), "server", "status", "--url", base());
        assertThat(status.code()).as(status.err()).isEqualTo(5);
        assertThat(status.out()).contains("NOT READY").containsPattern("disk\\s+FAIL");
        Files.delete(filler);
        awaitAnswer(200, List.of());

        // A read-only drop: the drop check fails at once, and a request filed now cannot be placed,
        // so the placer falls behind ready.max-placer-lag.
        sh("mount", "-o", "remount,ro", mounted.toString());
        assertThat(awaitAnswer(503, List.of("drop")).detail("drop")).contains("Read-only file system");
        Request filed = lab.file("sut-r", "admin", Priority.NORMAL);
        Answer stalled = awaitAnswer(503, List.of("drop", "placer"));
        assertThat(stalled.detail("placer")).contains("ready.max-placer-lag");

        sh("mount", "-o", "remount,rw", mounted.toString());
        awaitAnswer(200, List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(mounted.resolve("sut-r/current/" + filed.id() + ".xml")));
        status = ChildCli.run(dir.resolve("state"), "server", "status", "--url", base(), "--json");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(JSON.readTree(status.out()).get("ready").asBoolean()).isTrue();
    }

    @Test
    void readyzNamesTheStoreWhilePostgresqlIsStoppedAndRecoversWhenItIsBack() throws Exception {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            pgBin = versions.map(v -> v.resolve("bin").toString()).sorted().reduce((a, b) -> b).orElseThrow();
        }
        // Not under @TempDir: the postgres user must be able to reach its folder.
        pg = Files.createTempDirectory(Path.of("/tmp"), "labdrop-ready-pg");
        sh("chown", "postgres", pg.toString());
        pgData = pg.resolve("data");
        int port = Ports.free();
        sh("runuser", "-u", "postgres", "--", pgBin + "/initdb", "-D", pgData.toString(), "-A", "trust", "-U", "postgres");
        String[] start = {"runuser", "-u", "postgres", "--", pgBin + "/pg_ctl", "-D", pgData.toString(), "-l",
                pg.resolve("log").toString(), "-w", "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + pg + " -c fsync=off", "start"};
        sh(start);
        lab = new TestLab(dir.resolve("state"), "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
        awaitAnswer(200, List.of());

        sh("runuser", "-u", "postgres", "--", pgBin + "/pg_ctl", "-D", pgData.toString(), "-m", "fast", "-w", "stop");
        Answer down = awaitAnswer(503, List.of("store"));
        assertThat(down.failing()).as("a stopped store fails the store check (and the placer's, which reads it)")
                .contains("store").isSubsetOf(Arrays.asList("store", "placer"));

        sh(start);
        awaitAnswer(200, List.of());
    }
}
