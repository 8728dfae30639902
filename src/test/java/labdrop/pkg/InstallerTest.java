package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class InstallerTest {
    @TempDir
    Path dir;
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final Installer installer = new Installer(InstallLimits.DEFAULT, pool, 2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** bzip2 is decoded by the SUT's lbzip2 or bzip2 when it has one (the test command installs both), else in Java. */
    static Stream<String> decoders() {
        return Stream.of("lbzip2", "bzip2", "Java");
    }

    Installer with(String decoder) {
        Optional<Bzip2Tool> tool = switch (decoder) {
            case "lbzip2" -> Bzip2Tool.system().filter(Bzip2Tool::parallel);
            case "bzip2" -> Bzip2Tool.bzip2();
            default -> Optional.empty();
        };
        assertThat(decoder.equals("Java") || tool.isPresent()).as(decoder + " is installed in /usr/bin").isTrue();
        return new Installer(InstallLimits.DEFAULT, pool, 2, tool);
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void aMultiStreamPackageGivenNoOffsetsIsStillDecodedOnEveryThread(String decoder) throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 3_000_000);
        PackageBuilder.Built built = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.TEST, "dbench", PackageFormat.BZ2), dir);
        assertThat(built.streamOffsets()).hasSizeGreaterThan(1);
        // the agent's run: the request pins the package's SHA-256, not its streams
        Installer.Outcome outcome = with(decoder).install(built.file(), built.digest().sha256(), List.of(), dir.resolve("sut"));
        assertThat(outcome.parallel()).isTrue();
        assertThat(dir.resolve("sut/tests/dbench/src/data.bin")).hasSameBinaryContentAs(src.resolve("src/data.bin"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void wrongStreamOffsetsFallBackToASequentialDecodeOfEveryStream(String decoder) throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 2_500_000);
        PackageBuilder.Built built = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.DEP, "libfoo", PackageFormat.BZ2), dir);
        Installer.Outcome outcome = with(decoder).install(built.file(), built.digest().sha256(), List.of(0L, 12345L), dir.resolve("sut"));
        // lbzip2 is given the whole file (it finds the blocks itself); the others fall back to one stream after another
        assertThat(outcome.parallel()).isEqualTo(decoder.equals("lbzip2"));
        assertThat(dir.resolve("sut/deps/libfoo/src/data.bin")).hasSameBinaryContentAs(src.resolve("src/data.bin"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void installsASingleStreamPackageMadeByTar(String decoder) throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 2_000_000);
        Path bz2 = dir.resolve("test-single.tar.bz2");
        Process tar = new ProcessBuilder("tar", "-cjf", bz2.toString(), "-C", src.toString(), ".").inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        Installer.Outcome outcome = with(decoder).install(bz2, PackageDigest.of(bz2).sha256(), List.of(), dir.resolve("sut"));
        // only lbzip2 decodes the blocks of one stream on several cores
        assertThat(outcome.parallel()).isEqualTo(decoder.equals("lbzip2"));
        assertThat(dir.resolve("sut/tests/single/src/data.bin")).hasSameBinaryContentAs(src.resolve("src/data.bin"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void aPackageWhoseBzip2DataIsDamagedIsRefusedAndTheEarlierInstallKept(String decoder) throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 3_000_000);
        PackageBuilder.Built built = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.TEST, "dbench", PackageFormat.BZ2), dir);
        Path root = dir.resolve("sut");
        with(decoder).install(built.file(), built.digest().sha256(), List.of(), root);
        // a repository that published a damaged file under a matching pin: a flipped byte inside the second stream
        byte[] bytes = Files.readAllBytes(built.file());
        int at = (int) (built.streamOffsets().get(1) + 5_000);
        bytes[at] ^= 0x55;
        Path damaged = Files.write(Files.createDirectories(dir.resolve("damaged")).resolve("test-dbench.tar.bz2"), bytes);
        assertThatThrownBy(() -> with(decoder).install(damaged, PackageDigest.of(damaged).sha256(), List.of(), root))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(switch (decoder) {
                    case "lbzip2" -> "lbzip2 -dc exited with 1: lbzip2: stdin: compressed data error: block CRC mismatch";
                    case "bzip2" -> "bzip2 -dc exited with 2: bzip2: Data integrity error";
                    default -> "CRC error";
                });
        assertThat(root.resolve("tests/dbench/.checksum")).hasContent(built.digest().sha256());
        assertThat(root.resolve("tests/dbench/src/data.bin")).hasSameBinaryContentAs(src.resolve("src/data.bin"));
        try (var siblings = Files.list(root.resolve("tests"))) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("dbench");
        }
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
