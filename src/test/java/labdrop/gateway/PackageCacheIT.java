package labdrop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import labdrop.admin.HostDraft;
import labdrop.agent.SmokePackage;
import labdrop.app.TestLab;
import labdrop.error.BadInputException;
import labdrop.pkg.Manifest;
import labdrop.pkg.Repository;
import labdrop.store.KeyRows;
import labdrop.transport.OpenSshServer;
import labdrop.transport.SftpSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's package cache against a real server: packages come over the lab's own SSH login
 * ({@code labdrop-package}), a cut download resumes, nothing unverified is ever listed, and the
 * cache stays within its cap without dropping what a placed request still needs.
 */
class PackageCacheIT {
    @TempDir
    Path dir;
    TestLab lab;
    Path repo;
    SftpSession lab1;
    Upstream link;
    Path hostKey;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        repo = lab.config.http().repositories().get("builtin");
        SmokePackage.publish(repo, "smoke", 0);
        SmokePackage.publish(repo, "big", 400);
        lab.s.hosts().add(new HostDraft("sut-a", "default", "", "olivia", false, true, null), "admin");
        lab.s.keys().addLab("lab-east", List.of("sut-a"));
        lab.s.hosts().add(new HostDraft("sut-z", "default", "", "olivia", false, true, null), "admin");
        Path keys = Files.createDirectories(dir.resolve("keys"));
        OpenSshServer.run(keys, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("lab").toString());
        OpenSshServer.run(keys, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("sut").toString());
        lab.s.keys().add(KeyRows.LAB, "lab-east", Files.readString(keys.resolve("lab.pub")), "key", "admin");
        lab.s.keys().add(KeyRows.HOST, "sut-z", Files.readString(keys.resolve("sut.pub")), "key", "admin");
        Files.writeString(keys.resolve("known_hosts"), "[127.0.0.1]:" + lab.app.sshPort() + " "
                + Files.readString(lab.config.ssh().hostKey().resolveSibling("ssh_host_ed25519_key.pub")));
        hostKey = keys.resolve("known_hosts");
        lab1 = login("lab-east", keys.resolve("lab"));
        link = new SftpUpstream(lab1);
    }

    SftpSession login(String user, Path key) throws IOException {
        return SftpSession.open(URI.create("sftp://" + user + "@127.0.0.1:" + lab.app.sshPort() + "/"), key, hostKey, false,
                Duration.ofSeconds(3), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws Exception {
        lab1.close();
        lab.close();
    }

    PackageCache.Pin pin(String file) throws IOException {
        Manifest.Entry e = new Repository(repo).manifest().entries().get(file);
        return new PackageCache.Pin(file, e.sha256(), e.size());
    }

    PackageCache cache(long max) throws IOException {
        return new PackageCache(dir.resolve("cache"), dir.resolve("parts"), max, Duration.ofMinutes(1), Clock.systemUTC());
    }

    @Test
    void aCutDownloadResumesWhereItStoppedAndOnlyAVerifiedPackageIsListed() throws Exception {
        PackageCache cache = cache(1 << 30);
        PackageCache.Pin big = pin("test-big.tar.bz2");
        byte[] whole = Files.readAllBytes(repo.resolve(big.file()));
        int half = whole.length / 2;
        Files.createDirectories(dir.resolve("parts"));
        Files.write(dir.resolve("parts").resolve(big.file() + ".part"), Arrays.copyOf(whole, half));
        assertThat(cache.has(big)).isFalse();

        cache.ensure(link, big);
        assertThat(cache.has(big)).isTrue();
        assertThat(dir.resolve("cache").resolve(big.file())).hasBinaryContent(whole);
        assertThat(Files.readString(dir.resolve("cache").resolve(Manifest.CHECKSUM_FILE))).contains(big.file());
        assertThat(Files.readAllLines(lab.config.ssh().auditLog())).anyMatch(l -> l.contains("package")
                && l.contains(big.file() + " from " + half));
    }

    @Test
    void aCorruptPartOrAnUnknownPackageIsNeverServed() throws Exception {
        PackageCache cache = cache(1 << 30);
        PackageCache.Pin smoke = pin("test-smoke.tar.bz2");
        Files.createDirectories(dir.resolve("parts"));
        Files.write(dir.resolve("parts").resolve(smoke.file() + ".part"), new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> cache.ensure(link, smoke)).isInstanceOf(IOException.class)
                .hasMessageContaining("not cached");
        assertThat(dir.resolve("parts").resolve(smoke.file() + ".part")).as("the bad part is gone").doesNotExist();
        assertThat(dir.resolve("cache").resolve(smoke.file())).doesNotExist();
        assertThat(cache.count()).isZero();

        cache.ensure(link, smoke);
        assertThat(cache.has(smoke)).as("fetched whole on the next try").isTrue();

        PackageCache.Pin forged = new PackageCache.Pin("test-smoke.tar.bz2", "0".repeat(64), smoke.size());
        assertThatThrownBy(() -> cache.ensure(link, forged)).isInstanceOf(PackageCache.NotOnServer.class)
                .hasMessageContaining("no repository of this server lists test-smoke.tar.bz2 with SHA-256 " + "0".repeat(64));
        assertThatThrownBy(() -> new PackageCache.Pin("../../etc/passwd", smoke.sha256(), 1))
                .as("a request's file name never reaches a path unchecked").isInstanceOf(BadInputException.class);
    }

    @Test
    void onlyALabLoginMayFetchPackagesOverSsh() throws Exception {
        try (SftpSession sut = login("sut-z", dir.resolve("keys/sut"))) {
            SftpSession.Exec refused = sut.exec("labdrop-package test-smoke.tar.bz2 " + pin("test-smoke.tar.bz2").sha256() + " 0",
                    OutputStream.nullOutputStream(), Duration.ofSeconds(10));
            assertThat(refused.status()).isEqualTo(2);
            assertThat(refused.stderr()).contains("only a lab gateway's login");
        }
    }

    @Test
    void theCapEvictsTheLeastRecentlyNeededButNeverAPinnedPackage() throws Exception {
        PackageCache.Pin smoke = pin("test-smoke.tar.bz2");
        PackageCache.Pin big = pin("test-big.tar.bz2");
        PackageCache cache = cache(big.size());
        cache.ensure(link, smoke);
        cache.ensure(link, big);
        cache.retain(Set.of(big.file()));
        assertThat(cache.has(big)).as("pinned by a placed request").isTrue();
        assertThat(cache.has(smoke)).as("least recently needed, over the cap").isFalse();
        assertThat(Files.readString(dir.resolve("cache").resolve(Manifest.CHECKSUM_FILE))).doesNotContain(smoke.file());

        cache.ensure(link, smoke);
        cache.retain(Set.of(big.file(), smoke.file()));
        assertThat(cache.has(big) && cache.has(smoke)).as("both pinned: kept over the cap").isTrue();
        cache.retain(Set.of(smoke.file()));
        assertThat(cache.has(big)).isFalse();
        assertThat(cache.has(smoke)).isTrue();
    }
}
