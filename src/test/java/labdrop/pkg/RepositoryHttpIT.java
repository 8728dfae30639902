package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import labdrop.web.HttpServerFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository made by labdrop pkg, served by the server's Jetty, read the way Autotest's fetcher
 * reads it (with curl, md5sum -c and tar), and fetched by labdrop's fetcher: verified, resumed
 * after a cut, refused when tampered; and an Autotest-made repository used by labdrop's fetcher.
 */
class RepositoryHttpIT {
    @TempDir
    Path dir;
    Path repoDir;
    Repository repository;
    PackageBuilder.Built dbench;
    Server server;
    String base;
    final List<Duration> sleeps = new ArrayList<>();
    final AtomicBoolean cutNextDownload = new AtomicBoolean();
    final List<String> rangesAsked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        repoDir = Files.createDirectories(dir.resolve("repo"));
        dbench = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(Trees.testTree(dir.resolve("src"), 3_000_000), new PackageFile(PackageType.TEST, "dbench", PackageFormat.BZ2), repoDir);
        repository = new Repository(repoDir);
        repository.index();
        server = HttpServerFactory.build("127.0.0.1", 0, Map.of("builtin", repoDir), null);
        // A second repository whose first download is cut half-way, as a dropped connection would.
        ContextHandlerCollection contexts = (ContextHandlerCollection) server.getHandler();
        Handler files = HttpServerFactory.repository(server, repoDir);
        contexts.addHandler(new ContextHandler(new Handler.Wrapper(files) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getHeaders().get("Range") != null) {
                    rangesAsked.add(request.getHeaders().get("Range"));
                }
                if (request.getHttpURI().getPath().endsWith(".tar.bz2") && request.getHeaders().get("Range") == null
                        && cutNextDownload.getAndSet(false)) {
                    byte[] all = Files.readAllBytes(dbench.file());
                    response.getHeaders().put("Content-Length", all.length);
                    response.write(false, ByteBuffer.wrap(all, 0, all.length / 2), Callback.from(
                            () -> callback.failed(new IOException("cut by the test")), callback::failed));
                    return true;
                }
                return super.handle(request, response, callback);
            }
        }, "/packages/flaky"));
        server.start();
        base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/packages/";
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    Fetcher fetcher() {
        return new Fetcher(new FetchPolicy(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5), 1 << 20, 3, Duration.ofMillis(100),
                sleeps::add), new Random(1));
    }

    Fetcher.Wanted wanted() {
        return new Fetcher.Wanted("test-dbench.tar.bz2", dbench.digest().sha256(), dbench.digest().size());
    }

    @Test
    void autotestsFetcherRulesHoldWithStandardTools() throws Exception {
        Path get = Files.createDirectories(dir.resolve("autotest"));
        assertThat(run(get, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", base + "builtin/")).isEqualTo("200");
        assertThat(run(get, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-L", base + "builtin")).isEqualTo("200");
        run(get, "curl", "-sf", "-O", base + "builtin/packages.checksum");
        run(get, "curl", "-sf", "-O", base + "builtin/test-dbench.tar.bz2");
        assertThat(run(get, "md5sum", "-c", "packages.checksum")).contains("test-dbench.tar.bz2: OK");
        assertThat(run(get, "tar", "tjf", "test-dbench.tar.bz2")).contains("control", "src/data.bin");
        assertThat(run(get, "bzip2", "-t", "test-dbench.tar.bz2")).isEmpty();
        assertThat(Files.readString(repoDir.resolve("packages.checksum")))
                .matches("[0-9a-f]{32}  test-dbench\\.tar\\.bz2\n");
    }

    @Test
    void servesRangesEtagsAndNoCompressionAndRefusesTraversal() throws Exception {
        Path get = Files.createDirectories(dir.resolve("curl"));
        String url = base + "builtin/test-dbench.tar.bz2";
        String head = run(get, "curl", "-sI", "-H", "Accept-Encoding: gzip", url);
        assertThat(head).contains("200").containsIgnoringCase("Content-Length: " + dbench.digest().size())
                .containsIgnoringCase("ETag:").containsIgnoringCase("Last-Modified:").doesNotContainIgnoringCase("Content-Encoding");
        assertThat(run(get, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-r", "100-199", url))
                .isEqualTo("206 100");
        String etag = head.lines().filter(l -> l.toLowerCase().startsWith("etag:")).findFirst().orElseThrow().substring(5).strip();
        assertThat(run(get, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: " + etag, url))
                .isEqualTo("304");
        for (String evil : List.of("builtin/../../../../etc/passwd", "builtin/%2e%2e/%2e%2e/etc/passwd", "builtin/..%2f..%2fetc/passwd")) {
            assertThat(run(get, "curl", "-s", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", base + evil))
                    .as(evil).isNotEqualTo("200");
        }
    }

    @Test
    void fetchesAndVerifiesThenInstalls() throws Exception {
        Path got = fetcher().fetch(wanted(), List.of(URI.create(base + "builtin")), dir.resolve("cache"));
        assertThat(got).hasSameBinaryContentAs(dbench.file());
        assertThat(dir.resolve("cache/test-dbench.tar.bz2.part")).doesNotExist();
    }

    @Test
    void aDownloadCutHalfWayResumesWithRangeAndEndsVerified() throws Exception {
        cutNextDownload.set(true);
        Path got = fetcher().fetch(wanted(), List.of(URI.create(base + "flaky")), dir.resolve("cache"));
        assertThat(cutNextDownload).isFalse();
        assertThat(sleeps).as("one retry after the cut, with backoff").hasSize(1);
        // The retry resumes from what arrived before the cut (at most half: bytes in flight may be lost).
        assertThat(rangesAsked).as("one resumed request").singleElement().satisfies(range -> {
            assertThat(range).matches("bytes=[0-9]+-");
            long from = Long.parseLong(range.substring(6, range.length() - 1));
            assertThat(from).isPositive().isLessThanOrEqualTo(dbench.digest().size() / 2);
        });
        assertThat(PackageDigest.of(got).sha256()).isEqualTo(dbench.digest().sha256());
    }

    @Test
    void aFlippedByteIsDeletedNeverExtractedAndTheNextLocationWins() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        byte[] bytes = Files.readAllBytes(dbench.file());
        bytes[bytes.length / 2] ^= 1;
        Files.write(bad.resolve("test-dbench.tar.bz2"), bytes);
        Files.copy(repoDir.resolve("packages.checksum"), bad.resolve("packages.checksum"));
        Path got = fetcher().fetch(wanted(), List.of(bad.toUri(), URI.create(base + "builtin")), dir.resolve("cache"));
        assertThat(PackageDigest.of(got).sha256()).isEqualTo(dbench.digest().sha256());
    }

    @Test
    void aTruncatedPackageIsRetriedThenRefusedAndNeverPlaced() throws Exception {
        Path cut = Files.createDirectories(dir.resolve("cut"));
        byte[] bytes = Files.readAllBytes(dbench.file());
        Files.write(cut.resolve("test-dbench.tar.bz2"), Arrays.copyOf(bytes, bytes.length - 1000));
        Files.copy(repoDir.resolve("packages.checksum"), cut.resolve("packages.checksum"));
        assertThatThrownBy(() -> fetcher().fetch(wanted(), List.of(cut.toUri()), dir.resolve("cache")))
                .isInstanceOf(FetchFailedException.class)
                .hasMessageContaining("download stopped at " + (bytes.length - 1000) + " of " + bytes.length + " bytes")
                .hasMessageContaining("after 3 attempts");
        assertThat(sleeps).hasSize(2);
        assertThat(dir.resolve("cache/test-dbench.tar.bz2")).doesNotExist();
    }

    @Test
    void aChecksumFileTamperedTogetherWithThePackageIsRefusedByTheRequestsSha256() throws Exception {
        Path evil = Files.createDirectories(dir.resolve("evil"));
        byte[] bytes = Files.readAllBytes(dbench.file());
        bytes[10] ^= 1;
        Files.write(evil.resolve("test-dbench.tar.bz2"), bytes);
        new Repository(evil).index();
        assertThat(run(evil, "md5sum", "-c", "packages.checksum")).contains("OK");
        assertThatThrownBy(() -> fetcher().fetch(wanted(), List.of(evil.toUri(), URI.create(base + "nope")), dir.resolve("cache")))
                .isInstanceOf(FetchFailedException.class)
                .hasMessageContaining("could not be fetched from any of 2 locations")
                .hasMessageContaining(evil.toUri() + ": SHA-256")
                .hasMessageContaining("is not the request's " + dbench.digest().sha256())
                .hasMessageContaining("deleted, never extracted")
                .hasMessageContaining(base + "nope/: no packages.checksum");
        assertThat(dir.resolve("cache/test-dbench.tar.bz2")).doesNotExist();
        assertThat(dir.resolve("cache/test-dbench.tar.bz2.part")).doesNotExist();
    }

    @Test
    void usesARepositoryLaidOutAsAutotestsPackagerWritesIt() throws Exception {
        Path autotest = Files.createDirectories(dir.resolve("autotest-repo"));
        Path src = Trees.testTree(dir.resolve("src2"), 1_000);
        run(autotest, "tar", "-cjf", "test-sleeptest.tar.bz2", "-C", src.toString(), ".");
        Files.writeString(autotest.resolve("packages.checksum"), run(autotest, "md5sum", "test-sleeptest.tar.bz2") + "\n");
        String sha = PackageDigest.of(autotest.resolve("test-sleeptest.tar.bz2")).sha256();
        Path got = fetcher().fetch(new Fetcher.Wanted("test-sleeptest.tar.bz2", sha, -1), List.of(autotest.toUri()),
                dir.resolve("cache"));
        var pool = Executors.newFixedThreadPool(2);
        try {
            new Installer(InstallLimits.DEFAULT, pool, 2).install(got, sha, List.of(), dir.resolve("sut"));
        } finally {
            pool.shutdownNow();
        }
        assertThat(dir.resolve("sut/tests/sleeptest/control")).hasSameTextualContentAs(src.resolve("control"));
    }

    @Test
    void verifyReportsATamperedPackage() throws Exception {
        assertThat(repository.verify()).isEmpty();
        byte[] bytes = Files.readAllBytes(dbench.file());
        bytes[5] ^= 1;
        Files.write(dbench.file(), bytes);
        assertThat(repository.verify()).extracting(Repository.Problem::problem)
                .anySatisfy(p -> assertThat(p).startsWith("MD5 ").contains("but packages.checksum says"))
                .anySatisfy(p -> assertThat(p).startsWith("SHA-256 "));
    }

    static String run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
