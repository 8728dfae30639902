package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.request.RequestXml;
import labdrop.request.TestSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request file placed with an epoch older than the newest the host has seen is refused; the newest is kept. */
class PlacementFenceTest {
    @TempDir
    Path work;

    private Path current() throws Exception {
        return Files.createDirectories(work.resolve("mirror/current"));
    }

    private void place(long number, long epoch, boolean fenced) throws Exception {
        Request r = new Request(number, "sut-01", "bob", Instant.parse("2026-12-07T10:00:00Z"), Priority.NORMAL,
                RequestState.PLACED, null, false, null, null, null, null, null, List.of(TestSpec.parse("smoke")), List.of(),
                null, number, null, null, false, epoch);
        Files.write(current().resolve(r.id() + ".xml"), RequestXml.render(r, fenced));
    }

    @Test
    void aFileOlderThanTheNewestEpochIsStaleAndTheNewestIsKeptAcrossPolls() throws Exception {
        PlacementFence fence = new PlacementFence(work);
        place(1, 1, true);
        place(3, 3, true);
        assertThat(fence.stale(current(), List.of("r-1", "r-3"))).containsExactly(new PlacementFence.Stale("r-1", 1, 3));
        assertThat(fence.newest()).isEqualTo(3);

        Files.delete(current().resolve("r-1.xml"));
        Files.delete(current().resolve("r-3.xml"));
        place(2, 2, true);
        assertThat(new PlacementFence(work).stale(current(), List.of("r-2")))
                .as("a new agent (a restart) remembers epoch 3").containsExactly(new PlacementFence.Stale("r-2", 2, 3));
        place(4, 4, true);
        assertThat(fence.stale(current(), List.of("r-4"))).isEmpty();
        assertThat(fence.newest()).isEqualTo(4);
        assertThat(new PlacementFence.Stale("r-2", 2, 3).reason()).contains("current/r-2.xml was refused")
                .contains("placement epoch 2 is older than epoch 3").contains("not run");
    }

    @Test
    void aFileWithoutAnEpochOrUnreadableIsNeverRefusedHere() throws Exception {
        PlacementFence fence = new PlacementFence(work);
        place(5, 5, true);
        place(2, 2, false);
        Files.writeString(current().resolve("r-3.xml"), "<not a request");
        assertThat(fence.stale(current(), List.of("r-2", "r-3", "r-5"))).isEmpty();
        assertThat(fence.newest()).isEqualTo(5);
    }
}
