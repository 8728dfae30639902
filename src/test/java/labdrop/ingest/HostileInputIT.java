package labdrop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import labdrop.app.Sut;
import labdrop.app.TestLab;
import labdrop.host.HostState;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a SUT (or anyone who can write into a host folder) might write to attack the server.
 * Each is refused with a message naming the file and the rule; the host keeps its last good
 * state; nothing outside the drop is read, moved or changed (a sentinel folder is checked).
 */
class HostileInputIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    TestLab lab;
    Path sentinel;
    String sentinelBefore;

    @BeforeEach
    void start() throws Exception {
        sentinel = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(sentinel.resolve("secret"), "TOPSECRET\n");
        Files.createDirectories(sentinel.resolve("results/r-1"));
        Files.writeString(sentinel.resolve("results/r-1/result.xml"), "<not-yours/>");
        sentinelBefore = digest(sentinel);
        lab = new TestLab(dir.resolve("state"), null);
        lab.addActive("sut-a");
        lab.addActive("sut-b");
        lab.sut("sut-a").state("Running", null, "good step");
        await().atMost(WAIT).until(() -> lab.host("sut-a").lastSeq() == 1);
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
        assertThat(digest(sentinel)).as("nothing outside the drop changed").isEqualTo(sentinelBefore);
    }

    @Test
    void symlinkedStateFileIsRefusedAndItsTargetNeverRead() throws Exception {
        Path state = lab.config.dropDir().resolve("sut-a/state_file");
        Files.delete(state);
        Files.createSymbolicLink(state, sentinel.resolve("secret"));
        expectQuarantined("symbolic link");
        assertThat(sentinel.resolve("secret")).hasContent("TOPSECRET");
    }

    @Test
    void tenMegabyteStateFileIsRefusedOverTheCap() throws Exception {
        Path big = lab.config.dropDir().resolve("sut-a/.big");
        Files.write(big, new byte[10 * 1024 * 1024]);
        Files.move(big, lab.config.dropDir().resolve("sut-a/state_file"), StandardCopyOption.REPLACE_EXISTING);
        expectQuarantined("over the cap of 65536 bytes");
    }

    @Test
    void externalEntityIsRefusedWithoutBeingResolved() throws Exception {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE state [<!ENTITY x SYSTEM \"file://" + sentinel.resolve("secret")
                + "\">]>" + Sut.stateXml("sut-a", 2, "Running", null, "&x;").replaceFirst("<\\?xml[^>]*>", "");
        Sut.write(lab.config.dropDir().resolve("sut-a/state_file"), xxe);
        expectQuarantined("DOCTYPE");
        assertThat(lab.host("sut-a").step()).isEqualTo("good step").doesNotContain("TOPSECRET");
    }

    @Test
    void billionLaughsIsRefused() throws Exception {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE state [<!ENTITY l0 \"ha\">");
        for (int i = 1; i <= 10; i++) {
            dtd.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
        }
        Sut.write(lab.config.dropDir().resolve("sut-a/state_file"),
                dtd + "]>" + Sut.stateXml("sut-a", 2, "Running", null, "&l10;").replaceFirst("<\\?xml[^>]*>", ""));
        expectQuarantined("DOCTYPE");
    }

    @Test
    void stateClaimingAnotherHostIsRefusedAndThatHostUntouched() throws Exception {
        Sut.write(lab.config.dropDir().resolve("sut-a/state_file"), Sut.stateXml("sut-b", 9, "Rebooting", null, null));
        expectQuarantined("may only report for its own host folder");
        assertThat(lab.host("sut-b").lastSeq()).isEqualTo(-1);
        assertThat(lab.host("sut-b").state()).isEqualTo(HostState.AVAILABLE);
    }

    @Test
    void resultForAnotherHostsRequestIsRefusedAndThatRequestUntouched() throws Exception {
        Request bRequest = lab.file("sut-b", "bob", Priority.NORMAL);
        Path folder = Files.createDirectories(lab.config.dropDir().resolve("sut-a/results/" + bRequest.id()));
        Sut.write(folder.resolve("result.xml"), Files.readString(Path.of("src/test/resources/golden/result-1.xml"))
                .replace("request=\"r-42\" host=\"sut-01\"", "request=\"" + bRequest.id() + "\" host=\"sut-a\""));
        // The drop watcher reads only the results of requests a host runs; the ingest refuses it all the same.
        lab.s.ingest().resultChanged("sut-a", bRequest.id());
        await().atMost(WAIT).until(() -> lab.host("sut-a").ingestError() != null);
        assertThat(lab.host("sut-a").ingestError()).contains("not a request of host 'sut-a'");
        assertThat(lab.request(bRequest.id()).state()).isEqualTo(RequestState.PLACED);
    }

    @Test
    void aResultForAFinishedRequestChangesNothing() throws Exception {
        Request done = lab.file("sut-b", "bob", Priority.NORMAL);
        Sut sutB = lab.sut("sut-b");
        sutB.complete(done.id(), "pass", "pass");
        await().atMost(WAIT).until(() -> lab.request(done.id()).state() == RequestState.PASSED);
        sutB.result(done.id(), "fail");
        lab.s.ingest().resultChanged("sut-b", done.id());
        assertThat(lab.request(done.id()).state()).isEqualTo(RequestState.PASSED);
        assertThat(lab.s.desk().results(lab.request(done.id()))).extracting(r -> r.outcome()).containsExactly("pass", "pass");
    }

    @Test
    void aResultForARequestOfTheHostThatWasNeverPlacedIsRefused() throws Exception {
        Request placed = lab.file("sut-b", "bob", Priority.NORMAL);
        Request queued = lab.file("sut-b", "bob", Priority.NORMAL);
        lab.sut("sut-b").result(queued.id(), "pass");
        lab.s.ingest().resultChanged("sut-b", queued.id());
        await().atMost(WAIT).until(() -> lab.host("sut-b").ingestError() != null);
        assertThat(lab.host("sut-b").ingestError()).contains(queued.id() + ", which is Queued and not placed on host 'sut-b'");
        assertThat(lab.request(queued.id()).state()).isEqualTo(RequestState.QUEUED);
        assertThat(lab.s.desk().results(lab.request(queued.id()))).isEmpty();
        assertThat(lab.request(placed.id()).state()).isEqualTo(RequestState.PLACED);
    }

    @Test
    void aSeqFarAheadOfTheServersClockIsRefusedAndTheHostKeepsReporting() throws Exception {
        lab.sut("sut-a").stateWithSeq(Long.MAX_VALUE, "Available");
        expectQuarantined("ingest.max-seq-ahead");
        long now = System.currentTimeMillis();
        lab.sut("sut-a").stateWithSeq(now, "Available");
        await().atMost(WAIT).until(() -> lab.host("sut-a").lastSeq() == now);
        // A host frozen by a seq accepted before the rule: the next valid report is taken.
        lab.s.lab().store().tx(h -> h.execute("update hosts set last_seq = ? where name = 'sut-a'", Long.MAX_VALUE));
        lab.sut("sut-a").stateWithSeq(now + 1, "Running");
        await().atMost(WAIT).until(() -> lab.host("sut-a").lastSeq() == now + 1);
        assertThat(lab.host("sut-a").state()).isEqualTo(HostState.RUNNING);
    }

    @Test
    void theDropHoldsOneWatchPerHostHoweverManyFoldersAHostMakes() throws Exception {
        long hosts;
        try (Stream<Path> dirs = Files.list(lab.config.dropDir())) {
            hosts = dirs.filter(d -> !d.getFileName().toString().startsWith(".")).count();
        }
        await().atMost(WAIT).until(() -> lab.app.watchCount() == hosts + 1);
        Path results = Files.createDirectories(lab.config.dropDir().resolve("sut-a/results"));
        for (int i = 0; i < 3000; i++) {
            Files.createDirectory(results.resolve("r-" + (100_000 + i)));
        }
        Request b = lab.file("sut-b", "bob", Priority.NORMAL);
        lab.sut("sut-b").complete(b.id(), "pass");
        await().atMost(Duration.ofSeconds(15)).until(() -> lab.request(b.id()).state() == RequestState.PASSED);
        assertThat((long) lab.app.watchCount()).as("the drop's root and one per host folder, after 3,000 result folders"
                + " and a finished request").isEqualTo(hosts + 1);
    }

    @Test
    void aResultPushedWithNoStateAfterItIsReadWithoutAWatchOnItsFolder() throws Exception {
        long watches = lab.app.watchCount();
        Request placed = lab.file("sut-b", "bob", Priority.NORMAL);
        lab.sut("sut-b").result(placed.id(), "pass");
        // ingest.result-poll-interval (2 s by default) looks at the running requests' result.xml
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.request(placed.id()).state() == RequestState.PASSED);
        assertThat(lab.app.watchCount()).isEqualTo(watches);
    }

    @Test
    void theQuarantineKeepsOnlyTheNewestWithinItsCap() throws Exception {
        Path quarantine = lab.config.dropDir().resolve(".quarantine/sut-a");
        for (int i = 1; i <= 3; i++) {
            Path big = lab.config.dropDir().resolve("sut-a/.big");
            byte[] data = new byte[10 * 1024 * 1024];
            data[0] = (byte) i;
            Files.write(big, data);
            Files.move(big, lab.config.dropDir().resolve("sut-a/state_file"), StandardCopyOption.REPLACE_EXISTING);
            int round = i;
            await().atMost(WAIT).until(() -> !Files.exists(lab.config.dropDir().resolve("sut-a/state_file"))
                    && Files.isDirectory(quarantine) && list(quarantine).stream()
                    .anyMatch(f -> first(f) == round));
        }
        List<Path> kept = list(quarantine);
        long bytes = 0;
        for (Path f : kept) {
            bytes += Files.size(f);
        }
        assertThat(bytes).as("ingest.quarantine-bytes-per-host of 16 MiB").isLessThanOrEqualTo(16 << 20);
        assertThat(kept).hasSize(1);
        assertThat(first(kept.get(0))).as("the newest is kept").isEqualTo(3);
    }

    private static int first(Path file) {
        try (var in = Files.newInputStream(file)) {
            return in.read();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void resultsFolderLinkedOutsideTheDropIsNeitherReadNorMoved() throws Exception {
        Files.createSymbolicLink(lab.config.dropDir().resolve("sut-a/results/r-1"), sentinel.resolve("results/r-1"));
        lab.s.ingest().resultChanged("sut-a", "r-1");
        assertThat(lab.host("sut-a").ingestError()).contains("symbolic link").contains("left in place");
        assertThat(sentinel.resolve("results/r-1/result.xml")).hasContent("<not-yours/>");
    }

    @Test
    void stateFileOfAnUnknownOrInvalidHostFolderIsIgnored() throws Exception {
        Path rogue = Files.createDirectories(lab.config.dropDir().resolve("Rogue..Host"));
        Sut.write(rogue.resolve("state_file"), Sut.stateXml("sut-a", 50, "Available", null, null));
        Path unknown = Files.createDirectories(lab.config.dropDir().resolve("sut-zz"));
        Sut.write(unknown.resolve("state_file"), Sut.stateXml("sut-zz", 1, "Available", null, null));
        lab.app.rescan();
        assertThat(lab.host("sut-a").lastSeq()).isEqualTo(1);
        assertThat(lab.s.hosts().list()).extracting(h -> h.name()).containsExactly("sut-a", "sut-b");
    }

    private void expectQuarantined(String reason) throws Exception {
        Path quarantine = lab.config.dropDir().resolve(".quarantine/sut-a");
        // the file is moved first, then the host's ingest error is written
        await().atMost(WAIT).until(() -> Files.isDirectory(quarantine) && list(quarantine).size() == 1
                && lab.host("sut-a").ingestError() != null);
        assertThat(lab.host("sut-a").ingestError()).contains("sut-a").contains(reason);
        assertThat(lab.host("sut-a").lastSeq()).isEqualTo(1);
        assertThat(lab.host("sut-a").state()).isEqualTo(HostState.RUNNING);
        assertThat(lab.host("sut-a").step()).isEqualTo("good step");
    }

    private static String digest(Path folder) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted().toList()) {
                md.update(folder.relativize(p).toString().getBytes());
                if (Files.isRegularFile(p)) {
                    md.update(Files.readAllBytes(p));
                }
            }
        }
        return HexFormat.of().formatHex(md.digest()) + List.of();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
