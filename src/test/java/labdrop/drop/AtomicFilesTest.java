package labdrop.drop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesContentAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("state_file");
        AtomicFiles.write(target, "one".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(target, "two".getBytes(StandardCharsets.UTF_8));
        assertThat(target).hasContent("two");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void removesTemporariesThatACrashLeftBehindButNothingElse() throws Exception {
        Path leftover = dir.resolve(AtomicFiles.TEMP_PREFIX + "r-1.xml-123");
        Path keep = dir.resolve("r-2.xml");
        Files.writeString(leftover, "<partial");
        Files.writeString(keep, "<request/>");
        assertThat(AtomicFiles.removeTemporaryFiles(dir)).isEqualTo(1);
        assertThat(leftover).doesNotExist();
        assertThat(keep).exists();
    }

    @Test
    void recognisesARepeatOfTheSameBytes() throws Exception {
        Path target = dir.resolve("r-1.xml");
        byte[] xml = "<request/>".getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(target, xml);
        assertThat(AtomicFiles.hasContent(target, xml)).isTrue();
        assertThat(AtomicFiles.hasContent(target, "<other/>".getBytes(StandardCharsets.UTF_8))).isFalse();
    }
}
