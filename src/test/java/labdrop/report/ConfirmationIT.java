package labdrop.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import labdrop.app.TestLab;
import labdrop.queue.Confirmations;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.result.Verdict;
import labdrop.store.HistoryRows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confirmation on a second host through the real queue and ingest: a new failure on host A files
 * at once a request for just the failing test, at the same priority, that pool placement gives to
 * host B of the same type; failing there too reads confirmed, passing there reads host-specific and
 * health-checks host A. A confirmation's own new failures are never confirmed again.
 */
class ConfirmationIT {
    @TempDir
    Path dir;
    TestLab lab;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        lab.addTyped("board-a", "board", "", null, false);
        lab.addTyped("board-b", "board", "", null, false);
        lab.healthCheckedType("board", "dbench:health", "0", 3);
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    Request file(String host, boolean confirm, Priority priority, String... tests) {
        return lab.s.desk().file(new RequestSpec(host, "tess", List.of(tests).stream().map(TestSpec::parse).toList(),
                priority, false, null, null, null, null, null, confirm));
    }

    Request finish(String host, Request r, String test, String outcome) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(r.id()).state() == RequestState.PLACED
                && host.equals(lab.s.desk().find(r.id()).host()));
        lab.sut(host).completeWithCases(r.id(), test, Map.of("stable", "pass", "flappy", outcome));
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(r.id()).state().isFinal());
        return lab.s.desk().find(r.id());
    }

    Request confirmationOf(Request r) {
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.reports().comparison(r).confirmation() != null);
        return lab.s.desk().find(lab.s.reports().comparison(r).confirmation());
    }

    HistoryRows.Stored newFailure(Request r) {
        return lab.s.reports().comparison(r).findings().stream()
                .filter(f -> f.finding().verdict() == Verdict.NEW_FAILURE).findFirst().orElseThrow();
    }

    @Test
    void aNewFailureRunsAgainOnAnotherHostAndReadsConfirmedOrHostSpecific() throws Exception {
        finish("board-a", file("board-a", false, Priority.NORMAL, "dbench:-x"), "dbench", "pass");
        Request failed = finish("board-a", file("board-a", true, Priority.HIGH, "dbench:-x"), "dbench", "fail");
        Request confirmation = confirmationOf(failed);
        assertThat(confirmation.pool().type()).isEqualTo("board");
        assertThat(confirmation.priority()).isEqualTo(Priority.HIGH);
        assertThat(confirmation.tests()).extracting(TestSpec::args).containsExactly(List.of("-x"));
        assertThat(newFailure(failed).confirmation()).isEqualTo(Confirmations.PENDING);
        Request there = finish("board-b", confirmation, "dbench", "fail");
        assertThat(there.host()).as("never the first host").isEqualTo("board-b");
        assertThat(newFailure(failed).confirmation()).isEqualTo(Confirmations.CONFIRMED);
        assertThat(newFailure(failed).confirmedBy()).isEqualTo(confirmation.number());
        assertThat(lab.s.reports().comparison(there).confirms()).isEqualTo(failed.id());
        assertThat(lab.s.reports().comparison(there).confirmation()).as("no confirmation of a confirmation").isNull();

        // Another argument: a history of its own (the same one would now be flaky, and flaky is not confirmed).
        finish("board-a", file("board-a", false, Priority.NORMAL, "dbench:-y"), "dbench", "pass");
        Request again = finish("board-a", file("board-a", true, Priority.NORMAL, "dbench:-y"), "dbench", "fail");
        Request second = confirmationOf(again);
        finish("board-b", second, "dbench", "pass");
        assertThat(newFailure(again).confirmation()).isEqualTo(Confirmations.HOST_SPECIFIC);
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().list("board-a", null, 5).stream()
                .anyMatch(Request::healthCheck));
    }

    @Test
    void withoutAnotherHostOrWithoutTheAskNothingIsFiled() throws Exception {
        lab.addActive("lone");
        finish("lone", file("lone", false, Priority.NORMAL, "dbench"), "dbench", "pass");
        Request lone = finish("lone", file("lone", true, Priority.NORMAL, "dbench"), "dbench", "fail");
        assertThat(newFailure(lone).confirmation()).isEqualTo(Confirmations.NO_OTHER_HOST);

        finish("board-a", file("board-a", false, Priority.NORMAL, "dbench"), "dbench", "pass");
        Request unasked = finish("board-a", file("board-a", false, Priority.NORMAL, "dbench"), "dbench", "fail");
        assertThat(lab.s.reports().comparison(unasked).confirmation()).isNull();
        assertThat(newFailure(unasked).confirmation()).isNull();
    }
}
