package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import labdrop.app.TestLab;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-update, with the agent as a process started by the launcher (appliance/labdrop agent --once):
 * an agent at version N sees N+1 announced, a tampered N+1 is refused (N goes on working), the good
 * N+1 is installed between two requests, and the next request runs on N+1.
 */
class SelfUpdateIT {
    static final String NEXT = "99.0.0";
    @TempDir
    Path dir;
    TestLab lab;
    Path builtin;
    Path release;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        builtin = lab.config.http().repositories().get("builtin");
        SmokePackage.publish(builtin, "smoke", 0);
        release = buildRelease(NEXT);
        lab.addActive("sut-u1");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    /** N+1: this build's jar with another Implementation-Version, and its lib/, as client-labdrop-agent-VERSION. */
    Path buildRelease(String version) throws Exception {
        Path src = Files.createDirectories(dir.resolve("release-src"));
        try (JarFile jar = new JarFile("target/labdrop.jar")) {
            Manifest manifest = new Manifest(jar.getManifest());
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            try (OutputStream out = Files.newOutputStream(src.resolve("labdrop.jar"));
                 JarOutputStream next = new JarOutputStream(out, manifest)) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    next.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream in = jar.getInputStream(entry)) {
                        in.transferTo(next);
                    }
                    next.closeEntry();
                }
            }
        }
        Path lib = Files.createDirectories(src.resolve("lib"));
        try (var jars = Files.list(Path.of("target/lib"))) {
            for (Path j : jars.toList()) {
                Files.copy(j, lib.resolve(j.getFileName()));
            }
        }
        Path file = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2).build(src,
                new PackageFile(PackageType.CLIENT, "labdrop-agent-" + version, PackageFormat.BZ2), builtin).file();
        new Repository(builtin).index();
        return file;
    }

    record Run(int code, String out) {
    }

    /** One poll through the launcher, as the systemd timer would run it. */
    Run agentOnce() throws Exception {
        return agent("--once");
    }

    /** The launcher's agent: {@code --once}, or with no argument the daemon (polling every second here). */
    Run agent(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("appliance/labdrop", "agent"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("LABDROP_HOST", "sut-u1");
        env.put("LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-u1").toUri().toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
        env.put("LABDROP_FETCH_LOCATIONS", "http://127.0.0.1:" + lab.app.httpPort() + "/packages/builtin/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_SCHEDULE_CRON", "0/1 * * * * ?");
        env.put("LABDROP_SCHEDULE_JITTER", "0s");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out);
    }

    Request file() {
        return lab.s.desk().file(new RequestSpec("sut-u1", "tess", List.of(TestSpec.parse("smoke:pass")), Priority.NORMAL,
                false, null, null, null, null));
    }

    Request awaitEnd(Request r) {
        await().atMost(Duration.ofSeconds(30)).until(() -> lab.s.desk().find(r.id()).state().isFinal());
        return lab.s.desk().find(r.id());
    }

    @Test
    void anAgentRefusesATamperedReleaseThenUpdatesBetweenRequestsAndRunsTheNextOnTheNewVersion() throws Exception {
        Request r1 = file();
        Run first = agentOnce();
        assertThat(first.code()).as(first.out()).isZero();
        assertThat(awaitEnd(r1).state()).isEqualTo(RequestState.PASSED);
        String n = lab.s.hosts().show("sut-u1").agentVersion();
        assertThat(n).isNotEqualTo(NEXT).isNotBlank();

        // The repository's copy is tampered with after the server pinned it (index and announcement hold the real SHA-256).
        byte[] good = Files.readAllBytes(release);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x5a;
        lab.s.hosts().announceAgentRelease("labdrop-agent-" + NEXT, List.of("sut-u1"), "admin");
        Files.write(release, bad);
        Request r2 = file();
        Run refused = agentOnce();
        assertThat(refused.code()).as(refused.out()).isZero();
        assertThat(awaitEnd(r2).state()).as("the old agent goes on working").isEqualTo(RequestState.PASSED);
        await(refused.out()).atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(lab.s.hosts().show("sut-u1").message())
                .contains("agent update to " + NEXT + " refused"));
        assertThat(lab.s.hosts().show("sut-u1").message()).contains("SHA-256");
        assertThat(lab.s.hosts().show("sut-u1").agentVersion()).isEqualTo(n);
        assertThat(dir.resolve("agent/agent-current")).doesNotExist();

        // The good package: the daemon installs it between two requests (the waiting request is not run by the old
        // agent) and exits asking to be started again, as systemd's Restart=always then does.
        Files.write(release, good);
        Request r3 = file();
        Run updated = agent();
        assertThat(updated.code()).as("exit code asking for a restart\n" + updated.out()).isEqualTo(Agent.EXIT_RESTART);
        assertThat(updated.out()).contains("agent updated: exiting with 75");
        assertThat(dir.resolve("agent/agent-current/labdrop.jar")).exists();
        assertThat(dir.resolve("agent/agent-current").toRealPath()).isEqualTo(
                dir.resolve("agent/releases/" + NEXT + "/client").toRealPath());
        assertThat(lab.s.desk().find(r3.id()).state()).isEqualTo(RequestState.PLACED);

        Run next = agentOnce();
        assertThat(next.code()).as(next.out()).isZero();
        assertThat(awaitEnd(r3).state()).isEqualTo(RequestState.PASSED);
        await().atMost(Duration.ofSeconds(10)).until(() -> NEXT.equals(lab.s.hosts().show("sut-u1").agentVersion()));
    }
}
