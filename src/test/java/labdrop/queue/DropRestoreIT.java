package labdrop.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** current/ is a projection of the store: a drop restored without it gets every Placed request's file back at start. */
class DropRestoreIT {
    @TempDir
    Path dir;

    @Test
    void aPlacedRequestsFileMissingFromTheDropIsRewrittenWithTheSameBytesAtStart() throws Exception {
        Path file;
        byte[] placed;
        try (TestLab lab = new TestLab(dir.resolve("state"), null, Map.of())) {
            lab.addActive("sut-b1");
            lab.addActive("sut-b2");
            String id = lab.file("sut-b1", "tess", Priority.NORMAL).id();
            lab.file("sut-b1", "tess", Priority.NORMAL);
            file = lab.config.dropDir().resolve("sut-b1/current/" + id + ".xml");
            placed = Files.readAllBytes(file);
        }
        // A backup restored without current/ (docs/operations.md says current/ need not be kept).
        Files.delete(file);
        try (TestLab lab = new TestLab(dir.resolve("state"), null, Map.of())) {
            assertThat(file).exists();
            assertThat(Files.readAllBytes(file)).isEqualTo(placed);
            try (var current = Files.list(file.getParent())) {
                assertThat(current.map(p -> p.getFileName().toString())).as("the queued request stays in the store only")
                        .containsExactly(file.getFileName().toString());
            }
            assertThat(lab.config.dropDir().resolve("sut-b2/current")).isEmptyDirectory();
        }
    }
}
