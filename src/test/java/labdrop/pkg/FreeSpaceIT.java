package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import labdrop.cli.ChildCli;
import labdrop.error.BadInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uploader and the installer refuse a location without room before writing anything, shown on
 * real small filesystems: tmpfs mounts of a few MiB (the test command runs as root, as CI does).
 */
class FreeSpaceIT {
    @TempDir
    Path dir;
    final List<Path> mounts = new ArrayList<>();
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    PackageBuilder.Built built;

    @BeforeEach
    void buildPackage() throws Exception {
        Path src = Trees.testTree(dir.resolve("src"), 8_000_000);
        built = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.TEST, "dbench", PackageFormat.BZ2), Files.createDirectories(dir.resolve("out")));
    }

    @AfterEach
    void unmount() throws Exception {
        pool.shutdownNow();
        for (Path m : mounts) {
            new ProcessBuilder("umount", m.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A fresh tmpfs of {@code size} (as mount(8) reads it: 4m, 64m) at a new folder under the test's. */
    Path smallFilesystem(String name, String size) throws Exception {
        Path at = Files.createDirectories(dir.resolve(name));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        String out = new String(mount.getInputStream().readAllBytes());
        assumeThat(mount.waitFor()).as("mounting a tmpfs needs root (the README's test command runs as root): " + out)
                .isZero();
        mounts.add(at);
        return at;
    }

    static long entries(Path folder) throws Exception {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.count() - 1;
        }
    }

    @Test
    void anUploadToAFolderWithoutRoomIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path small = smallFilesystem("small", "4m");
        ChildCli.Result refused = ChildCli.run(dir.resolve("state"), "pkg", "upload", built.file().toString(), "--to",
                small.resolve("repo").toString());
        assertThat(refused.code()).isNotZero();
        assertThat(refused.out() + refused.err()).contains(small.resolve("repo").toString()).contains("bytes free")
                .contains("needed");
        assertThat(small.resolve("repo/" + built.file().getFileName())).doesNotExist();
        assertThat(small.resolve("repo/packages.checksum")).doesNotExist();

        Path roomy = smallFilesystem("roomy", "64m");
        ChildCli.Result done = ChildCli.run(dir.resolve("state"), "pkg", "upload", built.file().toString(), "--to",
                roomy.resolve("repo").toString());
        assertThat(done.code()).as(done.out() + done.err()).isZero();
        assertThat(roomy.resolve("repo/" + built.file().getFileName())).hasSameBinaryContentAs(built.file());
    }

    @Test
    void anInstallWithoutRoomIsRefusedWithTheFiguresAndLeavesTheInstallRootAsItWas() throws Exception {
        Installer installer = new Installer(InstallLimits.DEFAULT, pool, 2);
        Path small = smallFilesystem("sut-small", "4m");
        assertThat(Files.size(built.file()) * 2).as("the package needs more than the small filesystem holds")
                .isGreaterThan(4L << 20);
        assertThatThrownBy(() -> installer.install(built.file(), built.digest().sha256(), built.streamOffsets(), small))
                .isInstanceOf(BadInputException.class).hasMessageContaining("not enough free space in " + small)
                .hasMessageContaining("bytes free, at least");
        assertThat(entries(small)).as("nothing left behind in the install root").isLessThanOrEqualTo(1);

        Path roomy = smallFilesystem("sut-roomy", "64m");
        Installer.Outcome outcome = installer.install(built.file(), built.digest().sha256(), built.streamOffsets(), roomy);
        assertThat(outcome.dir()).isEqualTo(roomy.resolve("tests/dbench"));
    }
}
