package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import labdrop.error.BadInputException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One hostile package per tar-slip trick, installed over a good earlier install of the same
 * package: each is refused with a message naming the entry and the rule, the earlier install is
 * untouched, and nothing appears outside the install root (a sentinel folder beside it is checked).
 */
class TarSlipTest {
    @TempDir
    Path dir;
    Path root;
    Path outside;
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final Installer installer = new Installer(InstallLimits.DEFAULT, pool, 2);

    /** One tar entry of a fixture. */
    record E(String name, byte type, String link, int mode, byte[] data) {
        static E file(String name, String text) {
            return new E(name, TarConstants.LF_NORMAL, null, 0100644, text.getBytes(StandardCharsets.UTF_8));
        }

        static E of(String name, byte type, String link, int mode) {
            return new E(name, type, link, mode, new byte[0]);
        }
    }

    record Fixture(String trick, List<E> entries, String message) {
        @Override
        public String toString() {
            return trick;
        }
    }

    static List<Fixture> corpus() {
        return List.of(
                new Fixture("dot-dot", List.of(E.file("control", "ok"), E.file("../x", "pwned")), "climbs out with '..'"),
                new Fixture("deep dot-dot", List.of(E.file("a/b/../../../x", "pwned")), "climbs out with '..'"),
                new Fixture("absolute", List.of(E.file("/tmp/labdrop-abs", "pwned")), "has an absolute name"),
                new Fixture("symlink out, then write through it", List.of(
                        E.of("out", TarConstants.LF_SYMLINK, "../../outside", 0120777), E.file("out/pwned", "x")),
                        "is a symlink to '../../outside', outside the package"),
                new Fixture("inside symlink, then write through it", List.of(E.of("d", TarConstants.LF_DIR, null, 040755),
                        E.of("lnk", TarConstants.LF_SYMLINK, "d", 0120777), E.file("lnk/x", "x")),
                        "would be written through the symlink 'lnk'"),
                new Fixture("hard link out", List.of(E.of("hl", TarConstants.LF_LINK, "/etc/passwd", 0100644)), "is a hard link"),
                new Fixture("dir, then symlink of the same name", List.of(E.of("d/", TarConstants.LF_DIR, null, 040755),
                        E.of("d", TarConstants.LF_SYMLINK, ".", 0120777), E.file("d/x", "x")), "appears twice"),
                new Fixture("FIFO", List.of(E.of("fifo", TarConstants.LF_FIFO, null, 010644)), "is a device or FIFO"),
                new Fixture("device", List.of(E.of("sda", TarConstants.LF_BLK, null, 060600)), "is a device or FIFO"),
                new Fixture("setuid", List.of(new E("suid", TarConstants.LF_NORMAL, null, 0104755,
                        "x".getBytes(StandardCharsets.UTF_8))), "has the setuid or setgid bit"));
    }

    @BeforeEach
    void goodInstall() throws Exception {
        root = dir.resolve("sut");
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("sentinel"), "untouched");
        Path good = writeTar(List.of(E.file("control", "good version")));
        installer.install(good, PackageDigest.of(good).sha256(), List.of(), root);
        Files.delete(good);
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusesTheTrickAndLeavesTheEarlierInstallAndTheOutsideUntouched(Fixture fixture) throws Exception {
        Path evil = writeTar(fixture.entries());
        String sha = PackageDigest.of(evil).sha256();
        assertThatThrownBy(() -> installer.install(evil, sha, List.of(), root))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("of package test-dbench.tar.bz2")
                .hasMessageContaining(fixture.message())
                .hasMessageContaining("nothing was installed");
        assertUntouched();
    }

    @Test
    void stopsABzip2BombEarly() throws Exception {
        Path bomb = dir.resolve("test-dbench.tar.bz2");
        try (OutputStream out = Files.newOutputStream(bomb);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new BZip2CompressorOutputStream(out))) {
            TarArchiveEntry entry = new TarArchiveEntry("zeros");
            long size = 200L << 20;
            entry.setSize(size);
            tar.putArchiveEntry(entry);
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < size; written += zeros.length) {
                tar.write(zeros);
            }
            tar.closeArchiveEntry();
        }
        assertThat(Files.size(bomb)).isLessThan(10_000);
        assertThatThrownBy(() -> installer.install(bomb, PackageDigest.of(bomb).sha256(), List.of(), root))
                .hasMessageContaining("decompresses past 200 times its compressed size")
                .hasMessageContaining("decompression bomb");
        assertUntouched();
    }

    @Test
    void refusesMoreEntriesThanTheCap() throws Exception {
        Installer strict = new Installer(new InstallLimits(1 << 30, 3, 200), pool, 2);
        Path many = writeTar(List.of(E.file("a", "1"), E.file("b", "2"), E.file("c", "3"), E.file("d", "4")));
        assertThatThrownBy(() -> strict.install(many, PackageDigest.of(many).sha256(), List.of(), root))
                .hasMessageContaining("more than 3 entries");
        assertUntouched();
    }

    private void assertUntouched() throws IOException {
        assertThat(root.resolve("tests/dbench/control")).hasContent("good version");
        try (Stream<Path> tests = Files.list(root.resolve("tests"))) {
            assertThat(tests.map(p -> p.getFileName().toString())).as("no temporary folder left").containsExactly("dbench");
        }
        try (Stream<Path> all = Files.walk(outside)) {
            assertThat(all.map(p -> outside.relativize(p).toString())).containsExactlyInAnyOrder("", "sentinel");
        }
        assertThat(outside.resolve("sentinel")).hasContent("untouched");
        assertThat(Path.of("/tmp/labdrop-abs")).doesNotExist();
        try (Stream<Path> top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString())).doesNotContain("x", "pwned");
        }
    }

    private Path writeTar(List<E> entries) throws IOException {
        Path file = dir.resolve("test-dbench.tar.bz2");
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new BZip2CompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (E e : entries) {
                TarArchiveEntry entry = new TarArchiveEntry(e.name(), e.type(), true);
                entry.setMode(e.mode());
                if (e.link() != null) {
                    entry.setLinkName(e.link());
                }
                if (e.type() == TarConstants.LF_NORMAL) {
                    entry.setSize(e.data().length);
                }
                tar.putArchiveEntry(entry);
                tar.write(e.data());
                tar.closeArchiveEntry();
            }
        }
        return file;
    }
}
