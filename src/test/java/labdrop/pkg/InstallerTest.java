package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallerTest {
    @TempDir
    Path dir;
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final Installer installer = new Installer(InstallLimits.DEFAULT, pool, 2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void installsEveryFileInParallelAndSkipsTheSecondTime() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 3_000_000);
        PackageBuilder.Built built = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.TEST, "dbench", PackageFormat.BZ2), dir);
        Path root = dir.resolve("sut");
        Installer.Outcome first = installer.install(built.file(), built.digest().sha256(), built.streamOffsets(), root);
        assertThat(first.parallel()).isTrue();
        assertThat(first.dir()).isEqualTo(root.resolve("tests/dbench"));
        assertThat(root.resolve("tests/dbench/src/data.bin")).hasSameBinaryContentAs(src.resolve("src/data.bin"));
        assertThat(Files.isExecutable(root.resolve("tests/dbench/dbench.py"))).isTrue();
        assertThat(Files.readSymbolicLink(root.resolve("tests/dbench/src/current"))).isEqualTo(Path.of("lib"));
        assertThat(root.resolve("tests/dbench/.checksum")).hasContent(built.digest().sha256());

        Installer.Outcome second = installer.install(built.file(), built.digest().sha256(), built.streamOffsets(), root);
        assertThat(second.skipped()).isTrue();
        try (var siblings = Files.list(root.resolve("tests"))) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("dbench");
        }
    }

    @Test
    void aMultiStreamPackageGivenNoOffsetsIsStillDecodedOnEveryThread() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 3_000_000);
        PackageBuilder.Built built = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.TEST, "dbench", PackageFormat.BZ2), dir);
        assertThat(built.streamOffsets()).hasSizeGreaterThan(1);
        // the agent's run: the request pins the package's SHA-256, not its streams
        Installer.Outcome outcome = installer.install(built.file(), built.digest().sha256(), List.of(), dir.resolve("sut"));
        assertThat(outcome.parallel()).isTrue();
        assertThat(dir.resolve("sut/tests/dbench/src/data.bin")).hasSameBinaryContentAs(src.resolve("src/data.bin"));
    }

    @Test
    void wrongStreamOffsetsFallBackToASequentialDecodeOfEveryStream() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 2_500_000);
        PackageBuilder.Built built = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.DEP, "libfoo", PackageFormat.BZ2), dir);
        Installer.Outcome outcome = installer.install(built.file(), built.digest().sha256(), List.of(0L, 12345L), dir.resolve("sut"));
        assertThat(outcome.parallel()).isFalse();
        assertThat(dir.resolve("sut/deps/libfoo/src/data.bin")).hasSameBinaryContentAs(src.resolve("src/data.bin"));
    }

    @Test
    void installsZstdAndGzipPackages() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 100_000);
        for (PackageFormat format : List.of(PackageFormat.ZST, PackageFormat.GZ)) {
            PackageBuilder.Built built = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                    .build(src, new PackageFile(PackageType.PROFILER, "perf", format), dir);
            installer.install(built.file(), built.digest().sha256(), List.of(), dir.resolve("sut-" + format));
            assertThat(dir.resolve("sut-" + format + "/profilers/perf/control")).hasSameTextualContentAs(src.resolve("control"));
        }
    }

    @Test
    void installsAnXzPackageMadeByTar() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 10_000);
        Path xz = dir.resolve("dep-libxz.tar.xz");
        Process tar = new ProcessBuilder("tar", "-cJf", xz.toString(), "-C", src.toString(), ".").inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        installer.install(xz, PackageDigest.of(xz).sha256(), List.of(), dir.resolve("sut"));
        assertThat(dir.resolve("sut/deps/libxz/control")).hasSameTextualContentAs(src.resolve("control"));
    }
}
