package labdrop.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import labdrop.agent.SmokePackage;
import labdrop.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb on this machine, as an admin would use it: contents and maintainer scripts checked,
 * installed with dpkg, the server started from the installed files (the unit's command line, as
 * the labdrop user), a package uploaded and a request run end to end by the installed agent, then
 * purged with nothing left behind. Needs root and dpkg (CI runs as root on Debian).
 */
class DebPackageIT {
    static final Path DEB = Path.of("target/labdrop.deb");
    @TempDir
    Path dir;
    Process server;

    record Run(int code, String out) {
    }

    static Run run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static Run ok(String... command) throws Exception {
        Run r = run(List.of(command));
        assertThat(r.code()).as(String.join(" ", command) + ":\n" + r.out()).isZero();
        return r;
    }

    /** The installed launcher as the labdrop user, with the unit's environment plus {@code env}. */
    static Run labdrop(List<String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", "labdrop", "--", "env",
                "LABDROP_STATE_DIR=/var/lib/labdrop", "LABDROP_ROUTES_DIR=/etc/labdrop/routes"));
        command.addAll(env);
        command.add("/usr/bin/labdrop");
        command.addAll(List.of(args));
        return run(command);
    }


    @BeforeEach
    void clean() throws Exception {
        assertThat(ok("id", "-u").out().strip()).as("dpkg -i needs root").isEqualTo("0");
        assertThat(DEB).as("built by mvn package (jdeb)").exists();
        run(List.of("dpkg", "--purge", "labdrop"));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
        run(List.of("dpkg", "--purge", "labdrop"));
    }

    @Test
    void theTarballHoldsTheSameFilesWithTheSameModesAsTheDeb() throws Exception {
        Path tarball;
        try (var files = Files.list(Path.of("target"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("labdrop-.*\\.tar\\.gz")).findFirst().orElseThrow();
        }
        Map<String, String> deb = new TreeMap<>();
        for (String line : ok("dpkg-deb", "--contents", DEB.toString()).out().lines().toList()) {
            String[] f = line.split("\\s+");
            if (f[0].startsWith("-")) {
                deb.put(f[f.length - 1].replaceFirst("^\\./", ""), f[0]);
            }
        }
        Map<String, String> tar = new TreeMap<>();
        for (String line : ok("tar", "-tvzf", tarball.toString()).out().lines().toList()) {
            String[] f = line.split("\\s+");
            if (f[0].startsWith("-")) {
                tar.put(f[f.length - 1].replaceFirst("^labdrop-[^/]+/", ""), f[0]);
            }
        }
        assertThat(tar).as("same files, same modes").isEqualTo(deb);
        assertThat(tar).containsEntry("usr/bin/labdrop", "-rwxr-xr-x").containsEntry("etc/labdrop/server.conf", "-rw-r-----");
    }

    /** lintian: no error, and every warning tag is one docs/installation.md explains. */
    void lintianWarningsAreTheExplainedOnes() throws Exception {
        Run lintian = run(List.of("lintian", "--allow-root", DEB.toString()));
        List<String> explained = Files.readAllLines(Path.of("docs/installation.md")).stream()
                .filter(l -> l.startsWith("| `") && l.indexOf('`', 3) > 0).map(l -> l.substring(3, l.indexOf('`', 3))).toList();
        List<String> lines = lintian.out().lines().filter(l -> l.matches("[EWI]: labdrop.*")).toList();
        assertThat(lines).as("lintian errors:\n" + lintian.out()).noneMatch(l -> l.startsWith("E:"));
        for (String line : lines.stream().filter(l -> l.startsWith("W:")).toList()) {
            String tag = line.replaceFirst("^W: labdrop[^:]*: ", "").split(" ")[0];
            assertThat(explained).as("lintian warning not explained in docs/installation.md: " + line).contains(tag);
        }
    }

    @Test
    void installRunARequestEndToEndAndPurgeLeavesNothing() throws Exception {
        String info = ok("dpkg-deb", "--info", DEB.toString()).out();
        assertThat(info).contains("Package: labdrop").contains("Architecture: all").contains("postinst").contains("postrm");
        Path control = Files.createDirectories(dir.resolve("control"));
        ok("dpkg-deb", "--control", DEB.toString(), control.toString());
        assertThat(Files.readAllLines(control.resolve("conffiles"))).containsExactlyInAnyOrder(
                "/etc/labdrop/server.conf", "/etc/labdrop/agent.conf", "/etc/labdrop/gateway.conf",
                "/etc/labdrop/routes/README");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            ok("sh", "-n", control.resolve(script).toString());
        }
        String contents = ok("dpkg-deb", "--contents", DEB.toString()).out();
        assertThat(contents).contains("./usr/bin/labdrop", "./usr/share/labdrop/labdrop.jar", "./usr/share/labdrop/lib/",
                "./usr/lib/systemd/system/labdrop-server.service", "./usr/lib/systemd/system/labdrop-agent.service",
                "./usr/lib/systemd/system/labdrop-gateway.service", "./usr/lib/systemd/system/labdrop-agent-once.timer",
                "./usr/share/doc/labdrop/copyright",
                "./usr/share/labdrop/grafana/labdrop.json");

        lintianWarningsAreTheExplainedOnes();

        ok("dpkg", "-i", DEB.toString());
        List<String> files = ok("dpkg", "-L", "labdrop").out().lines().filter(l -> l.startsWith("/")).toList();
        for (String unit : files.stream().filter(f -> f.startsWith("/usr/lib/systemd/system/labdrop-")).toList()) {
            for (String line : Files.readAllLines(Path.of(unit))) {
                if (line.startsWith("Documentation=")) {
                    for (String url : line.substring("Documentation=".length()).strip().split("\\s+")) {
                        assertThat(url).as(unit).startsWith("file:///");
                        assertThat(Path.of(url.substring("file://".length()))).as(unit + " names " + url).isRegularFile();
                    }
                }
            }
        }
        // The copyright file names every bundled jar, each with a licence, and the SBOM it was made from ships too.
        List<String> jars = files.stream().filter(f -> f.startsWith("/usr/share/labdrop/lib/") && f.endsWith(".jar"))
                .map(f -> f.substring("/usr/share/labdrop/lib/".length())).sorted().toList();
        assertThat(jars).hasSizeGreaterThan(50);
        String copyright = Files.readString(Path.of("/usr/share/doc/labdrop/copyright"));
        List<String> named = copyright.lines().filter(l -> l.startsWith("Files: usr/share/labdrop/lib/"))
                .map(l -> l.substring("Files: usr/share/labdrop/lib/".length())).sorted().toList();
        assertThat(named).as("the jars debian/copyright names").isEqualTo(jars);
        assertThat(copyright).contains("License: EPL-2.0 or", "License: MPL-2.0 or EPL-1.0", "\nLicense: BSD-3-Clause\n");
        JsonNode sbom = new ObjectMapper().readTree(Path.of("/usr/share/doc/labdrop/labdrop.cdx.json").toFile());
        assertThat(sbom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(sbom.path("components").size()).isGreaterThanOrEqualTo(jars.size());
        assertThat(jars).as("the protobuf exposition is not bundled (/metrics is text)")
                .noneMatch(j -> j.startsWith("prometheus-metrics-exposition-formats"));
        // bash completion, generated from the picocli model, completes commands and their subcommands.
        String completion = "source /usr/share/bash-completion/completions/labdrop; COMP_WORDS=(labdrop host ''); COMP_CWORD=2;"
                + " COMP_LINE='labdrop host '; COMP_POINT=13; _complete_labdrop; echo \"${COMPREPLY[@]}\"";
        assertThat(ok("bash", "-c", completion).out().split("\\s+")).contains("add", "list", "maint", "retire");
        // The CLI's class-data-sharing archive, built at configure for this JVM: a command maps its classes from it.
        assertThat(Path.of("/var/cache/labdrop/cli.jsa")).isRegularFile();
        String loads = ok("env", "LABDROP_JAVA_OPTS=-Xlog:class+load=info:stdout", "/usr/bin/labdrop", "--version").out();
        assertThat(loads).contains("labdrop.cli.Main source: shared objects file", "picocli.CommandLine source: shared objects file");
        // zsh finds the completion function in its vendor folder and lists the subcommands at the first Tab.
        assertThat(zshCompletes("labdrop host ")).contains("add", "agent-release", "list", "maint", "retire");
        // A man page per command, generated from the same model: found by man, its text the command's help.
        assertThat(ok("man", "-w", "labdrop-host-list").out().strip()).isEqualTo("/usr/share/man/man1/labdrop-host-list.1.gz");
        assertThat(files).contains("/usr/share/man/man1/labdrop.1.gz", "/usr/share/man/man1/labdrop-request-file.1.gz",
                "/usr/share/man/man1/labdrop-pkg-agent-release.1.gz");
        String page = ok("sh", "-c", "MANWIDTH=100 man labdrop-host-list | col -b").out();
        assertThat(page).contains("labdrop-host-list - List hosts with their state.", "--server=URL",
                "Work against a remote server");
        assertThat(ok("id", "labdrop").out()).contains("(labdrop)");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/etc/labdrop/server.conf"))))
                .isEqualTo("rw-r-----");
        assertThat(ok("stat", "-c", "%U:%G %a", "/var/lib/labdrop").out().strip()).isEqualTo("labdrop:labdrop 750");
        ok("systemd-analyze", "verify", "/usr/lib/systemd/system/labdrop-server.service",
                "/usr/lib/systemd/system/labdrop-gateway.service",
                "/usr/lib/systemd/system/labdrop-agent.service", "/usr/lib/systemd/system/labdrop-agent-once.service",
                "/usr/lib/systemd/system/labdrop-agent-once.timer");

        // The server from the installed files: the unit's ExecStart, as the labdrop user.
        int http = Ports.free();
        int ssh = Ports.free();
        List<String> net = List.of("LABDROP_HTTP_HOST=127.0.0.1", "LABDROP_HTTP_PORT=" + http, "LABDROP_SSH_HOST=127.0.0.1",
                "LABDROP_SSH_PORT=" + ssh);
        List<String> start = new ArrayList<>(List.of("runuser", "-u", "labdrop", "--", "env", "LABDROP_STATE_DIR=/var/lib/labdrop",
                "LABDROP_ROUTES_DIR=/etc/labdrop/routes"));
        start.addAll(net);
        start.addAll(List.of("/usr/bin/labdrop", "server", "--conf", "/etc/labdrop/server.conf"));
        server = new ProcessBuilder(start).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        HttpClient client = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http + "/healthz")).build(), HttpResponse.BodyHandlers.ofString()).body().equals("ok\n"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/var/lib/labdrop/admin-password"))))
                .isEqualTo("rw-------");

        // A package, a host and a request through the installed CLI.
        SmokePackage.publish(Files.createDirectories(dir.resolve("built")), "smoke", 0);
        ok("chmod", "-R", "a+rX", dir.toString());
        assertThat(labdrop(List.of(), "pkg", "upload", dir.resolve("built/test-smoke.tar.bz2").toString(),
                "--to", "/var/lib/labdrop/packages/builtin").code()).isZero();
        assertThat(labdrop(List.of(), "host", "add", "sut-d1", "--active").out()).contains("added host sut-d1 (Available");
        assertThat(labdrop(List.of(), "request", "file", "--host", "sut-d1", "--test", "smoke:pass", "--as", "tess").out())
                .contains("r-1 Placed");

        // The installed agent, once, over file:// (a SUT that is the server itself).
        Path work = Files.createDirectories(dir.resolve("agent"));
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        ok("chown", "-R", "labdrop:labdrop", work.toString());
        Run agent = labdrop(List.of("LABDROP_HOST=sut-d1", "LABDROP_DROP_URL=file:///var/lib/labdrop/drop/sut-d1/",
                "LABDROP_WORK_DIR=" + work, "LABDROP_FETCH_LOCATIONS=http://127.0.0.1:" + http + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE=" + dir.resolve("boot_id")), "agent", "--conf", "/etc/labdrop/agent.conf", "--once");
        assertThat(agent.code()).as(agent.out()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> labdrop(List.of(), "request", "show", "r-1").out()
                .lines().anyMatch(l -> l.matches("state: +Passed")));
        assertThat(labdrop(List.of(), "request", "show", "r-1").out()).contains("smoke pass");

        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the server stops on SIGTERM").isTrue();
        server = null;

        ok("dpkg", "--purge", "labdrop");
        assertThat(run(List.of("dpkg", "-s", "labdrop")).code()).as("not installed any more").isNotZero();
        for (String f : files) {
            Path p = Path.of(f);
            if (f.contains("labdrop")) {
                assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as(f + " after purge").isFalse();
            }
        }
        assertThat(Path.of("/etc/labdrop")).doesNotExist();
        assertThat(Path.of("/var/lib/labdrop")).doesNotExist();
        assertThat(Path.of("/usr/share/labdrop")).doesNotExist();
        assertThat(Path.of("/var/cache/labdrop")).as("the CLI's start-up archive").doesNotExist();
        assertThat(run(List.of("id", "labdrop")).code()).as("the labdrop user is gone").isNotZero();
        assertThat(run(List.of("getent", "group", "labdrop")).code()).as("the labdrop group is gone").isNotZero();
    }

    /** What an interactive zsh (Debian's default fpath, compinit) lists at a Tab after {@code line}. */
    List<String> zshCompletes(String line) throws Exception {
        String script = String.join("\n",
                "zmodload zsh/zpty",
                "zpty -b z 'zsh -f -i'",
                "zpty -w z 'PS1=\"> \"; autoload -U compinit; compinit -u; LISTMAX=1000'",
                "sleep 1",
                "zpty -w -n z $'" + line + "\\t'",
                "sleep 3",
                "out=''",
                "while zpty -r -t z chunk; do out+=$chunk; done",
                "print -r -- \"$out\"",
                "zpty -d z");
        String out = ok("timeout", "30", "zsh", "-f", "-c", script).out().replaceAll("\u001b\\[[0-9;?]*[a-zA-Z]", "");
        return List.of(out.split("\\s+"));
    }
}
