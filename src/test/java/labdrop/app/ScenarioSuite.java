package labdrop.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import labdrop.admin.HostDraft;
import labdrop.error.ConflictException;
import labdrop.host.HostState;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.ConfigRows;
import org.junit.jupiter.api.Test;

/**
 * The lab's queue and ingest rules against a real server on a temp drop, with state_file and
 * results written exactly as a SUT writes them. Run once per store (H2, PostgreSQL).
 */
abstract class ScenarioSuite extends LabPerStore {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void placesRequestsOneAtATimeInPriorityThenFilingOrder() throws Exception {
        lab.addActive("sut-01");
        Sut sut = lab.sut("sut-01");
        Request first = lab.file("sut-01", "bob", Priority.NORMAL);
        Request low = lab.file("sut-01", "bob", Priority.LOW);
        Request high = lab.file("sut-01", "carol", Priority.HIGH);
        assertThat(first.state()).isEqualTo(RequestState.PLACED);
        assertThat(List.of(low.state(), high.state())).containsOnly(RequestState.QUEUED);
        assertThat(sut.current()).containsExactly(first.id() + ".xml");
        assertThat(lab.host("sut-01").state()).isEqualTo(HostState.PENDING);

        sut.complete(first.id());
        await().atMost(WAIT).until(() -> sut.current().equals(List.of(high.id() + ".xml")));
        assertThat(lab.request(first.id()).state()).isEqualTo(RequestState.PASSED);

        sut.complete(high.id(), "pass", "fail");
        await().atMost(WAIT).until(() -> sut.current().equals(List.of(low.id() + ".xml")));
        assertThat(lab.request(high.id()).state()).isEqualTo(RequestState.FAILED);
        assertThat(lab.s.desk().results(lab.request(high.id()))).extracting(r -> r.outcome()).containsExactly("pass", "fail");

        sut.complete(low.id());
        await().atMost(WAIT).until(() -> sut.current().isEmpty()
                && lab.request(low.id()).state() == RequestState.PASSED);
        assertThat(lab.host("sut-01").state()).isEqualTo(HostState.AVAILABLE);
    }

    @Test
    void maintHostHoldsRequestsUntilActivated() throws Exception {
        lab.s.hosts().add(new HostDraft("sut-02", "default", "", null, false, false, null), "admin");
        assertThat(lab.host("sut-02").state()).isEqualTo(HostState.MAINT);
        Request held = lab.file("sut-02", "bob", Priority.URGENT);
        assertThat(held.state()).isEqualTo(RequestState.QUEUED);
        assertThat(lab.sut("sut-02").current()).isEmpty();

        lab.s.hosts().activate("sut-02");
        assertThat(lab.request(held.id()).state()).isEqualTo(RequestState.PLACED);
        assertThat(lab.sut("sut-02").current()).containsExactly(held.id() + ".xml");
    }

    @Test
    void ownerOnlyHostRejectsOtherRequestersWithTheReason() throws Exception {
        lab.s.hosts().add(new HostDraft("sut-03", "default", "", "alice", true, true, null), "admin");
        Request refused = lab.file("sut-03", "bob", Priority.NORMAL);
        assertThat(refused.state()).isEqualTo(RequestState.REJECTED);
        assertThat(refused.reason()).contains("owner-only").contains("'alice'");
        assertThat(lab.sut("sut-03").current()).isEmpty();
        Request own = lab.file("sut-03", "alice", Priority.NORMAL);
        assertThat(own.state()).isEqualTo(RequestState.PLACED);
    }

    @Test
    void staleSeqIsIgnored() throws Exception {
        lab.addActive("sut-04");
        Sut sut = lab.sut("sut-04");
        Request r = lab.file("sut-04", "bob", Priority.NORMAL);
        sut.stateWithSeq(5, "Running");
        await().atMost(WAIT).until(() -> lab.host("sut-04").lastSeq() == 5);
        sut.stateWithSeq(3, "Available");
        lab.s.ingest().stateChanged("sut-04");
        assertThat(lab.host("sut-04").lastSeq()).isEqualTo(5);
        assertThat(lab.host("sut-04").state()).isEqualTo(HostState.RUNNING);
        sut.stateWithSeq(5, "Available");
        lab.s.ingest().stateChanged("sut-04");
        assertThat(lab.host("sut-04").state()).isEqualTo(HostState.RUNNING);
        assertThat(lab.request(r.id()).state()).isEqualTo(RequestState.PLACED);
    }

    @Test
    void garbageStateIsQuarantinedAndTheLastGoodStateKept() throws Exception {
        lab.addActive("sut-05");
        Sut sut = lab.sut("sut-05");
        sut.state("Running", null, "2/3 dbench");
        await().atMost(WAIT).until(() -> lab.host("sut-05").lastSeq() == 1);
        Sut.write(lab.config.dropDir().resolve("sut-05/state_file"), "this is not <xml");
        Path quarantine = lab.config.dropDir().resolve(".quarantine/sut-05");
        await().atMost(WAIT).until(() -> Files.isDirectory(quarantine) && list(quarantine).size() == 1);
        // The file is moved aside first, then the host's ingest error is recorded: wait for both.
        await().atMost(WAIT).until(() -> lab.host("sut-05").ingestError() != null);
        assertThat(lab.host("sut-05").ingestError()).contains("state_file quarantined").contains("not well-formed");
        assertThat(lab.host("sut-05").state()).isEqualTo(HostState.RUNNING);
        assertThat(lab.host("sut-05").step()).isEqualTo("2/3 dbench");
        assertThat(Files.readString(list(quarantine).get(0))).isEqualTo("this is not <xml");
    }

    @Test
    void stateWrittenInPlaceIsRetriedOnceCompleteRatherThanQuarantined() throws Exception {
        lab.addActive("sut-06");
        Path stateFile = lab.config.dropDir().resolve("sut-06/state_file");
        String xml = Sut.stateXml("sut-06", 1, "Running", null, "1/1 t1");
        Files.writeString(stateFile, xml.substring(0, xml.length() / 2));
        Thread.sleep(300);
        Files.writeString(stateFile, xml);
        await().atMost(WAIT).until(() -> lab.host("sut-06").lastSeq() == 1);
        assertThat(lab.config.dropDir().resolve(".quarantine/sut-06")).doesNotExist();
        assertThat(lab.host("sut-06").ingestError()).isNull();
    }

    @Test
    void silentHostGoesLostAndItsRequestIsAbortedNotFailed() throws Exception {
        Path resets = dir.resolve("resets.log");
        lab.s.hosts().add(new HostDraft("sut-07", "default", "", null, false, true,
                "echo \"power-cycled $LABDROP_HOST\" >> " + resets), "admin");
        lab.addActive("sut-07b");
        lab.sut("sut-07b").state("Available", null, null);
        Sut sut = lab.sut("sut-07");
        Request r = lab.file("sut-07", "bob", Priority.NORMAL);
        sut.state("Running", r.id(), "1/1 dbench");
        await().atMost(WAIT).until(() -> lab.request(r.id()).state() == RequestState.RUNNING);

        lab.clock.advance(Duration.ofMinutes(16));
        await().atMost(WAIT).until(() -> lab.host("sut-07").state() == HostState.LOST);
        assertThat(lab.request(r.id()).state()).isEqualTo(RequestState.RUNNING);
        await().atMost(WAIT).until(() -> Files.exists(resets));
        assertThat(lab.host("sut-07b").state()).as("a host with no request is never Lost").isEqualTo(HostState.AVAILABLE);

        lab.clock.advance(Duration.ofMinutes(30));
        await().atMost(WAIT).until(() -> lab.request(r.id()).state() == RequestState.ABORTED);
        assertThat(lab.request(r.id()).reason()).contains("sent no state for").contains("heartbeat 15m + grace 30m");
        assertThat(Files.readAllLines(resets)).as("hard reset once per Lost episode").containsExactly("power-cycled sut-07");
        await().atMost(WAIT).until(() -> sut.current().isEmpty());

        sut.state("Available", null, null);
        await().atMost(WAIT).until(() -> lab.host("sut-07").state() == HostState.AVAILABLE);
    }

    @Test
    void cancelRemovesThePlacedFileAndPlacesTheNext() throws Exception {
        lab.addActive("sut-08");
        Sut sut = lab.sut("sut-08");
        Request placed = lab.file("sut-08", "bob", Priority.NORMAL);
        Request next = lab.file("sut-08", "bob", Priority.NORMAL);
        assertThat(sut.current()).containsExactly(placed.id() + ".xml");

        assertThat(lab.s.desk().cancel(placed.id(), "bob").state()).isEqualTo(RequestState.CANCELLED);
        assertThat(sut.current()).containsExactly(next.id() + ".xml");
        assertThat(lab.request(next.id()).state()).isEqualTo(RequestState.PLACED);
        assertThatThrownBy(() -> lab.s.desk().cancel(placed.id(), "bob")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already ended as Cancelled");
    }

    @Test
    void configEditedOnDiskIsValidatedKeptInHistoryAndFlaggedWhenInvalid() throws Exception {
        lab.addActive("sut-09");
        Path directions = lab.config.dropDir().resolve("sut-09/config/directions");
        Sut.write(directions, "auto_retrieve = false\nmax_load = 4\n");
        await().atMost(WAIT).until(() -> lab.s.hosts().configHistory("sut-09", "directions").size() == 2);
        Sut.write(directions, "auto_retrieve = perhaps\n");
        await().atMost(WAIT).until(() -> lab.s.hosts().configHistory("sut-09", "directions").size() == 3);
        List<ConfigRows.Version> history = lab.s.hosts().configHistory("sut-09", "directions");
        assertThat(history).extracting(ConfigRows.Version::author).containsExactly("admin", "disk", "disk");
        assertThat(history.get(1).valid()).isTrue();
        assertThat(history.get(2).valid()).isFalse();
        assertThat(history.get(2).problems()).contains("directions:1: key 'auto_retrieve' has the value 'perhaps'");
        assertThat(lab.s.hosts().configFiles("sut-09")).singleElement().satisfies(v -> assertThat(v.valid()).isFalse());

        assertThatThrownBy(() -> lab.s.hosts().writeConfig("sut-09", "directions", "bogus = 1\n", "admin"))
                .hasMessageContaining("was not saved").hasMessageContaining("unknown key 'bogus'");
        assertThat(directions).hasContent("auto_retrieve = perhaps\n");
        lab.s.hosts().writeConfig("sut-09", "directions", "auto_retrieve = true\n", "carol");
        assertThat(directions).hasContent("auto_retrieve = true\n");
        assertThat(lab.s.hosts().configFiles("sut-09").get(0).author()).isEqualTo("carol");
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
