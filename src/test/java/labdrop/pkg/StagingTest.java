package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingTest {
    @TempDir
    Path dir;
    final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private Path built() throws Exception {
        return new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(Trees.testTree(dir.resolve("src"), 50_000), new PackageFile(PackageType.TEST, "dbench", PackageFormat.BZ2), dir)
                .file();
    }

    @Test
    void publishesAVerifiedUploadAndIndexesIt() throws Exception {
        Path pkg = built();
        Repository custom = new Repository(dir.resolve("custom"));
        try (InputStream in = Files.newInputStream(pkg)) {
            Manifest.Entry entry = new Staging(dir.resolve("staging"), 1 << 20, pool)
                    .publish(in, "test-dbench.tar.bz2", PackageDigest.of(pkg).sha256(), custom);
            assertThat(entry.sha256()).isEqualTo(PackageDigest.of(pkg).sha256());
        }
        assertThat(custom.verify()).isEmpty();
        assertStagingEmpty();
    }

    @Test
    void refusesAWrongDigestAnOversizedUploadAndAHostileTarball() throws Exception {
        Path pkg = built();
        Repository custom = new Repository(dir.resolve("custom"));
        Staging staging = new Staging(dir.resolve("staging"), 1 << 20, pool);
        assertThatThrownBy(() -> staging.publish(Files.newInputStream(pkg), "test-dbench.tar.bz2", "ab".repeat(32), custom))
                .hasMessageContaining("not the declared").hasMessageContaining("nothing was published");
        assertThatThrownBy(() -> new Staging(dir.resolve("staging"), 100, pool)
                .publish(Files.newInputStream(pkg), "test-dbench.tar.bz2", PackageDigest.of(pkg).sha256(), custom))
                .hasMessageContaining("over the cap of 100 bytes");
        byte[] evil = TarSlipFixtures.dotDot();
        String evilSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(evil));
        assertThatThrownBy(() -> staging.publish(new ByteArrayInputStream(evil), "test-evil.tar.bz2", evilSha, custom))
                .hasMessageContaining("climbs out with '..'");
        assertThatThrownBy(() -> staging.publish(Files.newInputStream(pkg), "../test-dbench.tar.bz2", PackageDigest.of(pkg).sha256(), custom))
                .hasMessageContaining("is not named <type>-<name>.tar.bz2");
        assertThat(custom.dir()).doesNotExist();
        assertStagingEmpty();
    }

    private void assertStagingEmpty() throws Exception {
        try (Stream<Path> left = Files.list(dir.resolve("staging"))) {
            assertThat(left).isEmpty();
        }
    }
}
