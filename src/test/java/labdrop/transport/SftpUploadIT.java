package labdrop.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageDigest;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;
import labdrop.pkg.UploadFailedException;
import labdrop.pkg.Uploader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** labdrop pkg upload to an sftp:// location served by a real OpenSSH server on a loopback port. */
class SftpUploadIT {
    @TempDir
    Path dir;
    OpenSshServer sshd;
    Path pkg;

    @BeforeEach
    void start() throws Exception {
        sshd = new OpenSshServer(Files.createDirectories(dir.resolve("ssh")));
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("control"), "job.run_test('sleeptest')\n");
        pkg = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.TEST, "sleeptest", PackageFormat.BZ2), dir).file();
    }

    @AfterEach
    void stop() {
        sshd.close();
    }

    SftpUploadLocation location(Path remote, Path knownHosts, boolean acceptNew) {
        return new SftpUploadLocation(URI.create("sftp://root@127.0.0.1:" + sshd.port + remote), sshd.clientKey,
                knownHosts, acceptNew, Duration.ofSeconds(20));
    }

    @Test
    void uploadsPackagesThenTheIndexToSftpAndALocalFolder() throws Exception {
        Path remote = Files.createDirectories(dir.resolve("remote-repo"));
        Path local = dir.resolve("local-repo");
        try (SftpUploadLocation sftp = location(remote, sshd.knownHosts, false)) {
            new Uploader().upload(List.of(pkg), List.of(Uploader.folder(local), sftp));
        }
        assertThat(remote.resolve("test-sleeptest.tar.bz2")).hasSameBinaryContentAs(pkg);
        assertThat(new Repository(remote).verify()).isEmpty();
        assertThat(Files.readString(remote.resolve("packages.checksum")))
                .isEqualTo(Files.readString(local.resolve("packages.checksum")))
                .startsWith(PackageDigest.of(pkg).md5() + "  test-sleeptest.tar.bz2");
        try (var files = Files.list(remote)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("test-sleeptest.tar.bz2", "packages.checksum", "packages.manifest");
        }
    }

    @Test
    void anUnknownHostKeyIsRefusedUnlessPinningOnFirstUseIsAsked() throws Exception {
        Path remote = Files.createDirectories(dir.resolve("remote-repo"));
        Path empty = Files.createFile(dir.resolve("empty_known_hosts"));
        try (SftpUploadLocation strict = location(remote, empty, false)) {
            assertThatThrownBy(() -> new Uploader().upload(List.of(pkg), List.of(strict)))
                    .isInstanceOf(UploadFailedException.class)
                    .hasMessageContaining("upload to sftp://root@127.0.0.1:" + sshd.port)
                    .hasMessageContaining("before anything was written");
        }
        assertThat(remote.resolve("test-sleeptest.tar.bz2")).doesNotExist();
        try (SftpUploadLocation pinning = location(remote, empty, true)) {
            new Uploader().upload(List.of(pkg), List.of(pinning));
        }
        assertThat(Files.readString(empty)).contains("127.0.0.1");
    }

    @Test
    void aMissingRemoteFolderFailsBeforeAnyLocationIsWritten() throws Exception {
        Path local = dir.resolve("local-repo");
        try (SftpUploadLocation sftp = location(dir.resolve("no-such-folder"), sshd.knownHosts, false)) {
            assertThatThrownBy(() -> new Uploader().upload(List.of(pkg), List.of(Uploader.folder(local), sftp)))
                    .hasMessageContaining("no-such-folder");
        }
        assertThat(local.resolve("test-sleeptest.tar.bz2")).doesNotExist();
    }
}
