package labdrop.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.cli.ChildCli;
import labdrop.error.BadInputException;
import labdrop.host.HostState;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.KeyRows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded SSH server with the real OpenSSH client tools and the real rsync binary. */
class EmbeddedSshIT {
    @TempDir
    Path dir;
    TestLab lab;
    int port;
    Path knownHosts;
    Path drop;

    record Run(int code, String output) {
    }

    @BeforeEach
    void start() throws Exception {
        start(dir.resolve("server"), Map.of());
    }

    void start(Path state, Map<String, String> env) throws Exception {
        lab = new TestLab(state, null, env);
        port = lab.app.sshPort();
        drop = lab.config.dropDir();
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " "
                + Files.readString(lab.config.ssh().hostKey().resolveSibling("ssh_host_ed25519_key.pub")));
        for (String host : List.of("sut-a", "sut-b", "sut-c")) {
            lab.s.hosts().add(new HostDraft(host, "default", "", "olivia", false, true, null), "admin");
            keygen(host);
            lab.s.keys().add(KeyRows.HOST, host, Files.readString(dir.resolve(host + ".pub")), host + ".pub", "admin");
        }
        Files.writeString(drop.resolve("sut-b/state_file"), state("sut-b", 1, "Available", null));
        Files.createDirectories(drop.resolve("sut-b/results/r-9/logs"));
        Files.writeString(drop.resolve("sut-b/results/r-9/logs/1-dbench.stdout"), "b's log\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    void keygen(String name) throws Exception {
        if (Files.exists(dir.resolve(name))) {
            return;
        }
        assertThat(run(null, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", dir.resolve(name).toString())
                .code()).isZero();
    }

    List<String> sshOptions(String key) {
        return List.of("-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-i", dir.resolve(key).toString());
    }

    String sshCommand(String key) {
        return "ssh -p " + port + " " + String.join(" ", sshOptions(key));
    }

    Run sftp(String key, String user, String... batch) throws Exception {
        Path file = Files.createTempFile(dir, "batch", ".txt");
        Files.writeString(file, String.join("\n", batch) + "\n");
        List<String> command = new ArrayList<>(List.of("sftp", "-P", Integer.toString(port), "-b", file.toString()));
        command.addAll(sshOptions(key));
        command.add(user + "@127.0.0.1");
        return run(dir, command.toArray(String[]::new));
    }

    Run rsync(String key, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("rsync", "--timeout=30", "-e", sshCommand(key)));
        command.addAll(List.of(args));
        return run(dir, command.toArray(String[]::new));
    }

    Run ssh(String key, String user, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ssh", "-p", Integer.toString(port)));
        command.addAll(sshOptions(key));
        command.add(user + "@127.0.0.1");
        command.addAll(List.of(args));
        return run(dir, command.toArray(String[]::new));
    }

    static Run run(Path cwd, String... command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (cwd != null) {
            b.directory(cwd.toFile());
        }
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " hung: " + out);
        }
        return new Run(p.exitValue(), out);
    }

    Map<String, String> tree(Path root) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String kind = Files.isSymbolicLink(p) ? "link" : Files.isDirectory(p) ? "dir"
                        : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                files.put(root.relativize(p).toString(), kind);
            }
        }
        return files;
    }

    Request file(String host) {
        Request r = lab.s.desk().file(new RequestSpec(host, "olivia", List.of(TestSpec.parse("dbench")), Priority.NORMAL,
                false, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(drop.resolve(host + "/current/" + r.id() + ".xml")));
        return r;
    }

    static String state(String host, long seq, String status, String request) {
        return "<state xmlns=\"urn:labdrop:state:1\" host=\"" + host + "\" seq=\"" + seq + "\"><updated>2026-11-22T10:00:00Z"
                + "</updated><status>" + status + "</status>" + (request == null ? "" : "<request>" + request + "</request>")
                + "<agentVersion>sftp</agentVersion><bootId>b</bootId></state>\n";
    }

    @Test
    void sftpAndRsyncPullTheirOwnHostAndPushStateAndResultsWhichTheServerIngests() throws Exception {
        Request first = file("sut-a");
        Path local = Files.createDirectories(dir.resolve("local-sftp"));
        Files.writeString(local.resolve("state.xml"), state("sut-a", 1, "Running", first.id()));
        Files.writeString(local.resolve("result.xml"), "<result xmlns=\"urn:labdrop:result:1\" request=\"" + first.id()
                + "\" host=\"sut-a\"><started>2026-11-22T10:00:00Z</started><finished>2026-11-22T10:01:00Z</finished>"
                + "<test index=\"1\" name=\"dbench\" outcome=\"pass\" exitCode=\"0\"/></result>\n");
        Run pull = sftp("sut-a", "sut-a", "ls current", "get current/" + first.id() + ".xml " + local,
                "get config/directions " + local, "put " + local.resolve("state.xml") + " state_file");
        assertThat(pull.code()).as(pull.output()).isZero();
        assertThat(local.resolve(first.id() + ".xml")).hasSameTextualContentAs(drop.resolve("sut-a/current/" + first.id() + ".xml"));
        assertThat(local.resolve("directions")).exists();
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(first.id()).state() == RequestState.RUNNING);
        Run push = sftp("sut-a", "sut-a", "-mkdir results/" + first.id(),
                "put " + local.resolve("result.xml") + " results/" + first.id() + "/.result.xml.tmp",
                "rename results/" + first.id() + "/.result.xml.tmp results/" + first.id() + "/result.xml",
                "rm current/" + first.id() + ".xml");
        assertThat(push.code()).as(push.output()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(first.id()).state() == RequestState.PASSED);
        Files.writeString(local.resolve("state.xml"), state("sut-a", 2, "Available", null));
        assertThat(sftp("sut-a", "sut-a", "put " + local.resolve("state.xml") + " .state_file.tmp",
                "rename .state_file.tmp state_file").code()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.hosts().show("sut-a").state() == HostState.AVAILABLE);

        Request second = file("sut-a");
        Path mirror = Files.createDirectories(dir.resolve("local-rsync"));
        Run rpull = rsync("sut-a", "-rt", "sut-a@127.0.0.1:/", mirror + "/");
        assertThat(rpull.code()).as(rpull.output()).isZero();
        assertThat(mirror.resolve("current/" + second.id() + ".xml")).exists();
        assertThat(mirror.resolve("config/directions")).exists();
        Files.writeString(local.resolve("state.xml"), state("sut-a", 5, "Running", second.id()));
        Run rpush = rsync("sut-a", "-t", local.resolve("state.xml").toString(), "sut-a@127.0.0.1:/state_file");
        assertThat(rpush.code()).as(rpush.output()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(second.id()).state() == RequestState.RUNNING);
        Path results = Files.createDirectories(dir.resolve("results/" + second.id() + "/logs"));
        Files.writeString(results.resolve("1-dbench.stdout"), "dbench ok\n");
        Files.writeString(results.resolveSibling("result.xml"), Files.readString(local.resolve("result.xml"))
                .replace(first.id(), second.id()));
        Run rresults = rsync("sut-a", "-rt", "--mkpath", results.getParent() + "/", "sut-a@127.0.0.1:/results/" + second.id() + "/");
        assertThat(rresults.code()).as(rresults.output()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(second.id()).state() == RequestState.PASSED);
        assertThat(drop.resolve("sut-a/results/" + second.id() + "/logs/1-dbench.stdout")).hasContent("dbench ok");
    }

    @Test
    void hostAsKeyCannotReachHostBInAnyWayAndHostBIsUntouched() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.hosts().show("sut-b").lastSeq() == 1);
        Map<String, String> before = tree(drop.resolve("sut-b"));
        assertThat(before).containsKeys("state_file", "results/r-9/logs/1-dbench.stdout");
        Path local = Files.writeString(dir.resolve("evil.txt"), "evil\n");
        assertThat(sftp("sut-a", "sut-b", "ls").code()).as("A's key as host B").isNotZero();
        List<String[]> attempts = List.of(
                new String[] {"ls ../sut-b"}, new String[] {"ls /../sut-b"}, new String[] {"get ../sut-b/state_file " + dir},
                new String[] {"put " + local + " ../sut-b/state_file"}, new String[] {"put " + local + " /../sut-b/x"},
                new String[] {"rename state_file ../sut-b/state_file"}, new String[] {"symlink ../sut-b/state_file link"},
                new String[] {"symlink /etc/passwd results/link"}, new String[] {"ln ../sut-b/state_file hard"},
                new String[] {"ln state_file results/hard"}, new String[] {"put " + local + " config/directions"},
                new String[] {"put " + local + " current/r-99.xml"}, new String[] {"rm config/directions"},
                new String[] {"mkdir config/x"}, new String[] {"chmod 4755 state_file"});
        for (String[] attempt : attempts) {
            Run r = sftp("sut-a", "sut-a", attempt);
            assertThat(r.code()).as("sftp %s: %s", String.join(";", attempt), r.output()).isNotZero();
        }
        assertThat(rsync("sut-a", "-rt", "sut-a@127.0.0.1:/../sut-b/", dir.resolve("x") + "/").code()).isNotZero();
        assertThat(rsync("sut-a", "-t", local.toString(), "sut-a@127.0.0.1:/../sut-b/state_file").code()).isNotZero();
        assertThat(rsync("sut-a", "-t", local.toString(), "sut-a@127.0.0.1:/config/directions").code()).isNotZero();
        assertThat(rsync("sut-a", "-rtl", dir.resolve("links") + "/", "sut-a@127.0.0.1:/results/x/").code()).isNotZero();
        Run shell = ssh("sut-a", "sut-a");
        assertThat(shell.code()).as(shell.output()).isNotZero();
        Run other = ssh("sut-a", "sut-a", "cat", "/etc/passwd");
        assertThat(other.code()).isNotZero();
        assertThat(other.output()).contains("only command accepted here is 'rsync --server").doesNotContain("root:");
        Run sneaky = ssh("sut-a", "sut-a", "rsync --server --sender -r . /etc/; cat /etc/passwd");
        assertThat(sneaky.code()).isNotZero();
        Run forward = ssh("sut-a", "sut-a", "-W", "127.0.0.1:" + lab.app.httpPort());
        assertThat(forward.code()).as("stdio forwarding").isNotZero();
        Run remote = ssh("sut-a", "sut-a", "-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:22");
        assertThat(remote.code()).as("remote forwarding").isNotZero();

        assertThat(tree(drop.resolve("sut-b"))).isEqualTo(before);
        assertThat(Files.readString(lab.config.ssh().auditLog())).contains("refused user=sut-a key=SHA256:")
                .contains("login user=sut-a");
    }

    @Test
    void aSutMayDeleteItsRequestOverRsyncButNeverWriteIntoCurrent() throws Exception {
        Request request = file("sut-a");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path injected = Files.createDirectories(dir.resolve("inject"));
        Files.writeString(injected.resolve("r-77.xml"), "<request/>");
        Files.writeString(injected.resolve(request.id() + ".xml"), "<changed/>");
        Run write = rsync("sut-a", "-rt", injected + "/", "sut-a@127.0.0.1:/current/");
        assertThat(drop.resolve("sut-a/current/r-77.xml")).as(write.output()).doesNotExist();
        assertThat(drop.resolve("sut-a/current/" + request.id() + ".xml")).content().doesNotContain("<changed/>");
        Run delete = rsync("sut-a", "-r", "--delete", "--include=/" + request.id() + ".xml", "--exclude=*", empty + "/",
                "sut-a@127.0.0.1:/current/");
        assertThat(delete.code()).as(delete.output()).isZero();
        assertThat(drop.resolve("sut-a/current/" + request.id() + ".xml")).doesNotExist();
    }

    @Test
    void keysAreStoredBareAndARemovedKeyOrRetiredHostNoLongerLogsIn() throws Exception {
        String pub = Files.readString(dir.resolve("sut-c.pub")).strip();
        keygen("extra");
        String withOptions = "command=\"rm -rf /\",no-pty,permitopen=\"*:*\" " + Files.readString(dir.resolve("extra.pub")).strip();
        PublicKeys.Bare bare = lab.s.keys().add(KeyRows.HOST, "sut-c", withOptions, "upload", "admin");
        assertThat(lab.s.keys().list(KeyRows.HOST, "sut-c")).extracting(KeyRows.Key::base64).contains(bare.base64());
        assertThat(bare.line()).doesNotContain("command").doesNotContain("rm -rf").doesNotContain("extra");
        assertThatThrownBy(() -> lab.s.keys().add(KeyRows.HOST, "sut-c", pub + "\n" + pub, "two-lines", "admin"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("more than one line");
        assertThat(sftp("extra", "sut-c", "ls").code()).isZero();

        lab.s.keys().remove(KeyRows.HOST, "sut-c", bare.fingerprint());
        assertThat(sftp("extra", "sut-c", "ls").code()).as("removed key").isNotZero();
        assertThat(sftp("sut-c", "sut-c", "ls").code()).isZero();
        lab.s.hosts().retire("sut-c", "admin");
        assertThat(lab.s.hosts().show("sut-c").state()).isEqualTo(HostState.RETIRED);
        assertThat(sftp("sut-c", "sut-c", "ls").code()).as("retired host").isNotZero();
    }

    @Test
    void aLabKeySeesExactlyItsLabsHosts() throws Exception {
        keygen("gateway");
        lab.s.keys().addLab("lab-east", List.of("sut-a", "sut-c"));
        lab.s.keys().add(KeyRows.LAB, "lab-east", Files.readString(dir.resolve("gateway.pub")), "gateway.pub", "admin");
        Run listing = sftp("gateway", "lab-east", "ls -1 /");
        assertThat(listing.code()).as(listing.output()).isZero();
        assertThat(listing.output()).contains("sut-a").contains("sut-c").doesNotContain("sut-b");
        assertThat(sftp("gateway", "lab-east", "ls /sut-b").code()).isNotZero();
        assertThat(sftp("gateway", "lab-east", "get /sut-b/state_file " + dir).code()).isNotZero();
        Path state = Files.writeString(dir.resolve("c-state.xml"), state("sut-c", 3, "Available", null));
        assertThat(sftp("gateway", "lab-east", "put " + state + " /sut-c/state_file").code()).isZero();
        Path mirror = Files.createDirectories(dir.resolve("lab-mirror"));
        Run pull = rsync("gateway", "-rt", "lab-east@127.0.0.1:/sut-a/", mirror + "/");
        assertThat(pull.code()).as(pull.output()).isZero();
        assertThat(rsync("gateway", "-rt", "lab-east@127.0.0.1:/sut-b/", mirror + "/").code()).isNotZero();
        assertThat(sftp("gateway", "sut-a", "ls").code()).as("a lab key is not a host key").isNotZero();
    }

    @Test
    void anRsyncPushToTheHostFolderKeepsOnlyItsStateFile() throws Exception {
        Path push = Files.createDirectories(dir.resolve("push/config"));
        Files.createDirectories(dir.resolve("push/current"));
        Files.writeString(dir.resolve("push/state_file"), state("sut-a", 7, "Available", null));
        Files.writeString(push.resolve("directions"), "accept_from = anyone\n");
        Files.writeString(dir.resolve("push/current/r-50.xml"), "<request/>");
        Files.writeString(dir.resolve("push/extra"), "x");
        String directionsBefore = Files.readString(drop.resolve("sut-a/config/directions"));
        Run r = rsync("sut-a", "-rt", dir.resolve("push") + "/", "sut-a@127.0.0.1:/");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(drop.resolve("sut-a/state_file")).hasContent(state("sut-a", 7, "Available", null).strip());
        assertThat(drop.resolve("sut-a/config/directions")).hasContent(directionsBefore.strip());
        assertThat(drop.resolve("sut-a/current/r-50.xml")).doesNotExist();
        assertThat(drop.resolve("sut-a/extra")).doesNotExist();
        try (Stream<Path> left = Files.list(drop.resolve("sut-a"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".labdrop-tmp-rsync"));
        }
    }

    @Test
    void rsyncBackupsFoldersAsStateFileAndUnsafeModesNeverReachTheDrop() throws Exception {
        Path local = Files.writeString(dir.resolve("state_file"), state("sut-a", 8, "Available", null));
        Run backup = rsync("sut-a", "-tb", local.toString(), "sut-a@127.0.0.1:/state_file");
        assertThat(backup.code()).as("rsync -b is refused").isNotZero();
        assertThat(backup.output()).contains("'-b' is not allowed");
        assertThat(drop.resolve("sut-a/state_file~")).doesNotExist();

        Path tree = Files.createDirectories(dir.resolve("tree/state_file/deep"));
        Files.writeString(tree.resolve("x"), "x");
        Run folder = rsync("sut-a", "-rt", dir.resolve("tree/state_file").toString(), "sut-a@127.0.0.1:/state_file");
        assertThat(drop.resolve("sut-a/state_file")).as(folder.output()).satisfies(
                p -> assertThat(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).isFalse());
        Run folderToRoot = rsync("sut-a", "-rt", dir.resolve("tree") + "/", "sut-a@127.0.0.1:/");
        assertThat(Files.isDirectory(drop.resolve("sut-a/state_file"))).as(folderToRoot.output()).isFalse();

        Path results = Files.createDirectories(dir.resolve("modes/r-1/open"));
        Path setuid = Files.writeString(results.getParent().resolve("run"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(setuid, PosixFilePermissions.fromString("rwxr-xrwx"));
        run(null, "chmod", "6755", setuid.toString());
        run(null, "chmod", "1777", results.toString());
        Run push = rsync("sut-a", "-rtp", dir.resolve("modes") + "/", "sut-a@127.0.0.1:/results/");
        assertThat(push.code()).as(push.output()).isZero();
        String fileMode = run(null, "stat", "-c", "%a", drop.resolve("sut-a/results/r-1/run").toString()).output().strip();
        String folderMode = run(null, "stat", "-c", "%a", drop.resolve("sut-a/results/r-1/open").toString()).output().strip();
        assertThat(fileMode).as("no setuid or setgid").isEqualTo("755");
        assertThat(folderMode).as("no sticky bit, not world-writable").isEqualTo("755");
        Run chmod = sftp("sut-a", "sut-a", "chmod 666 /results/r-1/run", "mkdir /results/r-1/made");
        assertThat(chmod.code()).as(chmod.output()).isZero();
        assertThat(run(null, "stat", "-c", "%a", drop.resolve("sut-a/results/r-1/run").toString()).output().strip())
                .as("an sftp chmod 666 is stored without group and world write").isEqualTo("644");
        assertThat(run(null, "stat", "-c", "%a", drop.resolve("sut-a/results/r-1/made").toString()).output().strip())
                .as("an OpenSSH mkdir (mode 0777 asked) is stored without group and world write").isEqualTo("755");
    }

    Process holdSession(String key, String user) throws Exception {
        List<String> command = new ArrayList<>(List.of("ssh", "-N", "-p", Integer.toString(port)));
        command.addAll(sshOptions(key));
        command.add(user + "@127.0.0.1");
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    long auditLines(String event, String user) throws Exception {
        return Files.readAllLines(lab.config.ssh().auditLog()).stream()
                .filter(l -> l.contains(" " + event + " ") && l.contains(user)).count();
    }

    @Test
    void aKeyHoldsItsFullSessionLimitEachAuditedOnceAndARemovedKeysSessionsAreClosed() throws Exception {
        List<Process> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(holdSession("sut-a", "sut-a"));
                int expected = i + 1;
                await().atMost(Duration.ofSeconds(20)).until(() -> auditLines("login", "sut-a") == expected);
            }
            assertThat(held).allMatch(Process::isAlive);
            Run fifth = ssh("sut-a", "sut-a", "true");
            assertThat(fifth.code()).as("the fifth session of ssh.max-sessions-per-key = 4").isNotZero();
            assertThat(auditLines("refused", "sut-a")).isGreaterThanOrEqualTo(1);
            assertThat(auditLines("login", "sut-a")).as("one login line per authenticated session").isEqualTo(4);

            String fingerprint = lab.s.keys().list(KeyRows.HOST, "sut-a").get(0).fingerprint();
            lab.s.keys().remove(KeyRows.HOST, "sut-a", fingerprint);
            for (Process p : held) {
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("a removed key's session is closed").isTrue();
            }
            assertThat(auditLines("closed", "sut-a")).isEqualTo(4);

            Process retiring = holdSession("sut-b", "sut-b");
            held.add(retiring);
            await().atMost(Duration.ofSeconds(20)).until(() -> auditLines("login", "sut-b") == 1);
            lab.s.hosts().retire("sut-b", "admin");
            assertThat(retiring.waitFor(20, TimeUnit.SECONDS)).as("a retired host's session is closed")
                    .isTrue();
        } finally {
            held.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void oneRsyncPushIsStoppedAtTheQuotaWhileItRuns() throws Exception {
        stop();
        start(dir.resolve("small"), Map.of("LABDROP_SSH_QUOTA_BYTES", "5000000", "LABDROP_SSH_QUOTA_FILES", "2000"));
        Path many = Files.createDirectories(dir.resolve("many/r-1"));
        for (int i = 0; i < 10_000; i++) {
            Files.writeString(many.resolve("f" + i), "");
        }
        Run files = rsync("sut-a", "-rt", dir.resolve("many") + "/", "sut-a@127.0.0.1:/results/");
        assertThat(files.code()).as(files.output()).isNotZero();
        assertThat(files.output()).contains("ssh.quota-files");
        long stored = PushWatch.usage(drop.resolve("sut-a"))[1];
        assertThat(stored).as("entries kept of a 10,000-file push against a 2,000-file quota").isLessThan(7_000);
        System.out.println("quota overshoot: " + (stored - 2000) + " entries");

        Path big = Files.createDirectories(dir.resolve("big/r-2"));
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            byte[] data = new byte[1_000_000];
            random.nextBytes(data);
            Files.write(big.resolve("blob" + i), data);
        }
        Files.walk(drop.resolve("sut-a/results")).sorted(Comparator.reverseOrder())
                .filter(p -> !p.equals(drop.resolve("sut-a/results"))).forEach(p -> p.toFile().delete());
        Run bytes = rsync("sut-a", "-rt", dir.resolve("big") + "/", "sut-a@127.0.0.1:/results/");
        assertThat(bytes.code()).as(bytes.output()).isNotZero();
        assertThat(bytes.output()).contains("ssh.quota-bytes");
        assertThat(PushWatch.usage(drop.resolve("sut-a"))[0]).as("bytes kept of a 40 MB push against a 5 MB quota")
                .isLessThan(10_000_000);
        assertThat(Files.readString(lab.config.ssh().auditLog())).contains("rsync push stopped");
    }

    @Test
    void ed25519KeysAreServedByBouncyCastleWithoutTheUnmaintainedEddsaLibrary() throws Exception {
        assertThatThrownBy(() -> Class.forName("net.i2p.crypto.eddsa.EdDSAEngine"))
                .as("net.i2p.crypto:eddsa (CVE-2020-36843) is not on the class path").isInstanceOf(ClassNotFoundException.class);
        assertThat(Files.readString(dir.resolve("sut-a.pub"))).startsWith("ssh-ed25519 ");
        Run ls = sftp("sut-a", "sut-a", "ls");
        assertThat(ls.code()).as(ls.output()).isZero();
    }

    @Test
    void theHostKeyIsKeptAcrossARestartSoASutsKnownHostsKeepsWorking() throws Exception {
        String pinnedKey = Files.readString(knownHosts).substring(Files.readString(knownHosts).indexOf(' ') + 1);
        assertThat(sftp("sut-a", "sut-a", "ls").code()).isZero();
        lab.close();
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        port = lab.app.sshPort();
        // The SUT's known_hosts keeps the key it pinned before the restart (only the test's port is new).
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + pinnedKey);
        Run ls = sftp("sut-a", "sut-a", "ls");
        assertThat(ls.code()).as("StrictHostKeyChecking=yes against the key pinned before the restart: " + ls.output())
                .isZero();
    }

    @Test
    void theAuditLogNamesHostKeyAndPathOfEveryWriteRenameRemoveAndRsync() throws Exception {
        Request request = file("sut-a");
        String fingerprint = run(dir, "ssh-keygen", "-l", "-f", dir.resolve("sut-a.pub").toString()).output().split(" ")[1];
        assertThat(fingerprint).startsWith("SHA256:");
        Path local = Files.writeString(dir.resolve("note.txt"), "note\n");
        String results = "results/" + request.id();
        Run sftp = sftp("sut-a", "sut-a", "mkdir " + results, "put " + local + " " + results + "/a.txt",
                "rename " + results + "/a.txt " + results + "/b.txt", "rm " + results + "/b.txt");
        assertThat(sftp.code()).as(sftp.output()).isZero();
        Path pushed = Files.createDirectories(dir.resolve("push/" + request.id() + "/logs"));
        Files.writeString(pushed.resolve("1-dbench.stdout"), "ran\n");
        Run rsync = rsync("sut-a", "-rt", dir.resolve("push") + "/", "sut-a@127.0.0.1:/results/");
        assertThat(rsync.code()).as(rsync.output()).isZero();

        List<String> all = Files.readAllLines(lab.config.ssh().auditLog());
        List<String> lines = all.stream()
                .filter(l -> l.contains(" user=sut-a key=" + fingerprint + " from=/127.0.0.1:")).toList();
        assertThat(lines).anyMatch(l -> l.contains(" mkdir ") && l.endsWith(" /" + results));
        assertThat(lines).anyMatch(l -> l.contains(" write ") && l.endsWith(" /" + results + "/a.txt"));
        assertThat(lines).anyMatch(l -> l.contains(" rename ") && l.endsWith(" /" + results + "/a.txt -> /" + results + "/b.txt"));
        assertThat(lines).anyMatch(l -> l.contains(" remove ") && l.endsWith(" /" + results + "/b.txt"));
        assertThat(lines).anyMatch(l -> l.contains(" rsync-write ") && l.endsWith(" sut-a/results"));
    }

    /** Runs each call at once on its own thread (as several SUT clients of one key would) and returns their runs. */
    List<Run> atOnce(List<Callable<Run>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            List<Run> runs = new ArrayList<>();
            for (Future<Run> f : pool.invokeAll(calls)) {
                runs.add(f.get());
            }
            return runs;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void quotasAndTheSessionLimitHoldForSeveralClientsOfOneKeyAtOnce() throws Exception {
        stop();
        start(dir.resolve("shared"), Map.of("LABDROP_SSH_QUOTA_BYTES", "3000000", "LABDROP_SSH_QUOTA_FILES", "120"));
        List<Callable<Run>> files = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            Path local = Files.createDirectories(dir.resolve("files-" + c));
            List<String> batch = new ArrayList<>(List.of("-mkdir results/r-" + (10 + c)));
            for (int i = 0; i < 50; i++) {
                batch.add("-put " + Files.writeString(local.resolve("f" + i), "ten bytes\n") + " results/r-" + (10 + c) + "/");
            }
            files.add(() -> sftp("sut-a", "sut-a", batch.toArray(String[]::new)));
        }
        atOnce(files);
        assertThat(PushWatch.usage(drop.resolve("sut-a"))[1]).as("entries of sut-a after 3 clients put 153 against 120")
                .isLessThanOrEqualTo(120);
        assertThat(auditLines("refused", "ssh.quota-files")).isPositive();

        byte[] noise = new byte[1_500_000];
        new Random(3).nextBytes(noise);
        Path blob = Files.write(dir.resolve("blob"), noise);
        List<Callable<Run>> sftpBytes = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            String folder = "results/r-" + (20 + c);
            sftpBytes.add(() -> sftp("sut-b", "sut-b", "-mkdir " + folder, "put " + blob + " " + folder + "/blob"));
        }
        List<Run> puts = atOnce(sftpBytes);
        assertThat(PushWatch.usage(drop.resolve("sut-b"))[0]).as("bytes of sut-b after 3 clients put 4.5 MB against 3 MB")
                .isLessThanOrEqualTo(3_000_000);
        assertThat(puts).as("at least one put refused").anyMatch(r -> r.code() != 0);
        assertThat(auditLines("refused", "ssh.quota-bytes")).isPositive();

        List<Callable<Run>> pushes = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            Path local = Files.createDirectories(dir.resolve("push-" + c + "/r-" + (30 + c)));
            Files.write(local.resolve("blob"), noise);
            Files.write(local.resolve("blob2"), noise);
            pushes.add(() -> rsync("sut-c", "-rt", local.getParent() + "/", "sut-c@127.0.0.1:/results/"));
        }
        List<Run> rsyncs = atOnce(pushes);
        assertThat(rsyncs).as("at least one push stopped at the quota").anyMatch(r -> r.output().contains("ssh.quota-bytes"));
        assertThat(PushWatch.usage(drop.resolve("sut-c"))[0]).as("bytes kept of 9 MB pushed at once against 3 MB")
                .isLessThan(3_000_000 + 3 * 2 * PushWatch.GATE_BYTES);

        keygen("second");
        lab.s.keys().add(KeyRows.HOST, "sut-a", Files.readString(dir.resolve("second.pub")), "second.pub", "admin");
        String second = "key=" + run(dir, "ssh-keygen", "-l", "-f", dir.resolve("second.pub").toString()).output().split(" ")[1];
        List<Process> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                held.add(holdSession("second", "sut-a"));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> held.stream().filter(Process::isAlive).count() == 4);
            assertThat(auditLines("login", second)).as("sessions of 6 clients of one key started at once").isEqualTo(4);
            assertThat(auditLines("refused", second)).isGreaterThanOrEqualTo(2);
        } finally {
            held.forEach(Process::destroyForcibly);
        }
    }

    ChildCli.Result cli(String... args) throws Exception {
        ChildCli.Result r = ChildCli.run(dir.resolve("server"), args);
        assertThat(r.code()).as("labdrop " + String.join(" ", args) + ": " + r.out() + r.err()).isZero();
        return r;
    }

    String fingerprint(String key) throws Exception {
        return run(dir, "ssh-keygen", "-l", "-f", dir.resolve(key + ".pub").toString()).output().split(" ")[1];
    }

    @Test
    void keysAndLabsManagedThroughTheCliGovernWhoLogsInToTheRunningServer() throws Exception {
        keygen("cli-key");
        String hostKey = fingerprint("cli-key");
        assertThat(sftp("cli-key", "sut-c", "ls").code()).as("an unknown key").isNotZero();
        assertThat(cli("host", "key", "add", "sut-c", dir.resolve("cli-key.pub").toString()).out()).contains(hostKey);
        assertThat(cli("host", "key", "list", "sut-c").out()).contains(hostKey);
        Run in = sftp("cli-key", "sut-c", "ls");
        assertThat(in.code()).as("the key added through the CLI logs in: " + in.output()).isZero();
        cli("host", "key", "remove", "sut-c", hostKey);
        assertThat(cli("host", "key", "list", "sut-c").out()).doesNotContain(hostKey);
        assertThat(sftp("cli-key", "sut-c", "ls").code()).as("the key removed through the CLI").isNotZero();

        keygen("gateway");
        String labKey = fingerprint("gateway");
        cli("lab", "add", "lab-west", "--host", "sut-a");
        assertThat(cli("lab", "key", "add", "lab-west", dir.resolve("gateway.pub").toString()).out()).contains(labKey);
        Run listing = sftp("gateway", "lab-west", "ls -1 /");
        assertThat(listing.code()).as(listing.output()).isZero();
        assertThat(listing.output()).contains("sut-a").doesNotContain("sut-b");
        cli("lab", "host", "lab-west", "sut-b");
        assertThat(cli("lab", "show", "lab-west").out()).contains("sut-a").contains("sut-b").contains(labKey);
        assertThat(sftp("gateway", "lab-west", "ls -1 /").output()).contains("sut-a").contains("sut-b");
        cli("lab", "host", "lab-west", "sut-a", "--remove");
        assertThat(sftp("gateway", "lab-west", "ls -1 /").output()).doesNotContain("sut-a").contains("sut-b");
        assertThat(cli("lab", "key", "list", "lab-west").out()).contains(labKey);
        cli("lab", "key", "remove", "lab-west", labKey);
        assertThat(sftp("gateway", "lab-west", "ls -1 /").code()).as("the lab key removed through the CLI").isNotZero();
    }
}
