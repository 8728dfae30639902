package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import labdrop.error.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageBuilderTest {
    @TempDir
    Path dir;
    final PackageBuilder builder = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2);
    final PackageFile dbench = new PackageFile(PackageType.TEST, "dbench", PackageFormat.BZ2);

    @Test
    void sameTreeGivesTheSameBytesWhateverTheFileTimes() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 3_000_000);
        PackageBuilder.Built first = builder.build(src, dbench, Files.createDirectories(dir.resolve("a")));
        Files.setLastModifiedTime(src.resolve("control"), FileTime.from(Instant.parse("2031-01-01T00:00:00Z")));
        PackageBuilder.Built second = builder.build(src, dbench, Files.createDirectories(dir.resolve("b")));
        assertThat(second.digest()).isEqualTo(first.digest());
        assertThat(first.file().getFileName().toString()).isEqualTo("test-dbench.tar.bz2");
    }

    @Test
    void writesOneIndependentBzip2StreamPer900kAndTheIndexFindsTheSameOffsets() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 3_000_000);
        PackageBuilder.Built built = builder.build(src, dbench, dir);
        assertThat(built.streamOffsets()).hasSize(4).startsWith(0L);
        assertThat(Bzip2Streams.offsets(built.file())).isEqualTo(built.streamOffsets());
    }

    @Test
    void refusesASymlinkPointingOutOfTheSource() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 10);
        Files.createSymbolicLink(src.resolve("escape"), Path.of("../../etc"));
        assertThatThrownBy(() -> builder.build(src, dbench, dir)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("symlink escape -> ../../etc points outside");
        assertThat(dir.resolve("test-dbench.tar.bz2")).doesNotExist();
    }

    @Test
    void packageFileNamesFollowAutotest() {
        assertThat(PackageFile.parse("client-autotest.tar.bz2").type()).isEqualTo(PackageType.CLIENT);
        assertThat(PackageFile.parse("profiler-perf.tar.zst").format()).isEqualTo(PackageFormat.ZST);
        for (String bad : new String[] {"../test-x.tar.bz2", "test-x.zip", "suite-x.tar.bz2", "test-.tar.bz2", "test-a/b.tar.bz2"}) {
            assertThatThrownBy(() -> PackageFile.parse(bad)).as(bad).hasMessageContaining("is not named <type>-<name>.tar.bz2");
        }
    }
}
