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
import labdrop.pkg.AgentRelease;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.Repository;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
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
    /** Bytes of the release before issue 18: this build's jar and its whole lib/. */
    static final long WHOLE_LIB_RELEASE = 47_100_000;
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

    /**
     * N+1: this build's jar with another Implementation-Version beside this build's lib/, made into a release by
     * {@code labdrop pkg agent-release}'s code: the jar and only the agent's libraries.
     */
    Path buildRelease(String version) throws Exception {
        Path installation = Files.createDirectories(dir.resolve("installation"));
        try (JarFile jar = new JarFile("target/labdrop.jar")) {
            Manifest manifest = new Manifest(jar.getManifest());
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            try (OutputStream out = Files.newOutputStream(installation.resolve("labdrop.jar"));
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
        Files.createSymbolicLink(installation.resolve("lib"), Path.of("target/lib").toAbsolutePath());
        Path file = AgentRelease.build(installation, builtin, new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)).file();
        assertThat(file.getFileName()).hasToString("client-labdrop-agent-" + version + ".tar.bz2");
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
        return agent(Map.of(), args);
    }

    Run agent(Map<String, String> extraEnv, String... args) throws Exception {
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
        env.putAll(extraEnv);
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
        assertOnlyTheAgentsLibraries();
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

        // N+1 holds only the agent's libraries; over sftp:// (ed25519 keys both ways) it still runs a request.
        TestLab.SshLogin login = lab.sshLogin("sut-u1", dir);
        Request r4 = file();
        Run sftp = agent(Map.of("LABDROP_DROP_URL", "sftp://sut-u1@127.0.0.1:" + lab.app.sshPort() + "/",
                "LABDROP_SSH_IDENTITY", login.key().toString(), "LABDROP_SSH_KNOWN_HOSTS", login.knownHosts().toString()),
                "--once");
        assertThat(sftp.code()).as(sftp.out()).isZero();
        assertThat(awaitEnd(r4).state()).as(sftp.out()).isEqualTo(RequestState.PASSED);
        assertThat(lab.s.hosts().show("sut-u1").agentVersion()).isEqualTo(NEXT);
    }

    /** What {@code labdrop pkg agent-release} leaves out: the release is at most half the former size. */
    void assertOnlyTheAgentsLibraries() throws Exception {
        assertThat(Files.size(release)).as("the release was the jar and all of lib/: 47.1 MB").isLessThanOrEqualTo(WHOLE_LIB_RELEASE / 2);
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(release);
             TarArchiveInputStream tar = new TarArchiveInputStream(new BZip2CompressorInputStream(in, true))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertThat(names).contains("labdrop.jar", "lib/sshd-sftp-2.20.0.jar", "lib/bcprov-jdk18on-1.83.jar")
                .noneMatch(n -> n.matches("lib/(camel|jetty|h2|postgresql|flyway|micrometer|angus-mail).*"));
        assertThat(names.stream().filter(n -> n.startsWith("lib/") && n.endsWith(".jar"))).hasSize(AgentRelease.LIBRARIES.size());
    }
}
