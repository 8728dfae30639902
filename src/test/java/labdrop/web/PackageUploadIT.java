package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import labdrop.account.Accounts;
import labdrop.app.TestLab;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageDigest;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Package upload through the server's API: only admins, verified before publishing, errors as JSON. */
class PackageUploadIT {
    @TempDir
    Path dir;
    TestLab lab;
    Path pkg;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of("LABDROP_API_MAX_UPLOAD_BYTES", "1000000"));
        base = "http://127.0.0.1:" + lab.app.httpPort();
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("control"), "job.run_test('newtest')\n");
        pkg = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 2)
                .build(src, new PackageFile(PackageType.TEST, "newtest", PackageFormat.BZ2), dir).file();
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    HttpResponse<String> put(String path, String token, String sha, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (sha != null) {
            request.header("X-Labdrop-Sha256", sha);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String error(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return Errors.JSON.readTree(response.body()).get("error").asText();
    }

    @Test
    void firstStartCreatesAnAdminWithARandomPasswordInAPrivateFileAndNoDefaultPasswordWorks() throws Exception {
        Path file = lab.config.stateDir().resolve("admin-password");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        String password = Files.readString(file).strip();
        assertThat(lab.s.accounts().logIn("admin", password.toCharArray())).isPresent();
        for (String guess : new String[] {"admin", "password", "labdrop", "changeme", ""}) {
            assertThat(lab.s.accounts().logIn("admin", guess.toCharArray())).as(guess).isEmpty();
        }
        assertThat(lab.s.accounts().ensureFirstAdmin(lab.config.stateDir())).as("only on the first start").isEmpty();
    }

    @Test
    void anAdminUploadIsVerifiedPublishedIndexedAndServed() throws Exception {
        lab.s.accounts().setAccount("root-admin", Role.ADMIN, "a long admin password".toCharArray());
        String token = lab.s.accounts().newToken("root-admin", "ci");
        String sha = PackageDigest.of(pkg).sha256();
        HttpResponse<String> created = put("/api/v1/packages/custom/test-newtest.tar.bz2", token, sha, Files.readAllBytes(pkg));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = Errors.JSON.readTree(created.body());
        assertThat(body.get("sha256").asText()).isEqualTo(sha);
        assertThat(body.get("url").asText()).isEqualTo("/packages/custom/test-newtest.tar.bz2");
        HttpResponse<byte[]> served = http.send(HttpRequest.newBuilder(URI.create(base + body.get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.body()).isEqualTo(Files.readAllBytes(pkg));
        assertThat(new Repository(lab.config.http().repositories().get("custom")).verify()).isEmpty();
    }

    @Test
    void anonymousTesterAndBadUploadsAreRefusedWithJsonErrors() throws Exception {
        lab.s.accounts().setAccount("boss", Role.ADMIN, "a long admin password".toCharArray());
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
        String admin = lab.s.accounts().newToken("boss", null);
        String tester = lab.s.accounts().newToken("tess", null);
        byte[] bytes = Files.readAllBytes(pkg);
        String sha = PackageDigest.of(pkg).sha256();
        String url = "/api/v1/packages/custom/test-newtest.tar.bz2";

        HttpResponse<String> anonymous = put(url, null, sha, bytes);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(error(anonymous)).contains("Authorization: Bearer");
        assertThat(put(url, "ldt_forged", sha, bytes).statusCode()).isEqualTo(401);
        HttpResponse<String> asTester = put(url, tester, sha, bytes);
        assertThat(asTester.statusCode()).isEqualTo(403);
        assertThat(error(asTester)).contains("'tess' is a tester");
        HttpResponse<String> wrongDigest = put(url, admin, "ab".repeat(32), bytes);
        assertThat(wrongDigest.statusCode()).isEqualTo(400);
        assertThat(error(wrongDigest)).contains("not the declared").contains("nothing was published");
        assertThat(error(put(url, admin, null, bytes))).contains("declares no SHA-256");
        // Over the cap: sent with curl, which (unlike JDK 17's HttpClient) handles Expect: 100-continue
        // answered with a final status; the refused body is never sent.
        Path big = Files.write(dir.resolve("big.bin"), new byte[2_000_000]);
        Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
                "-H", "Authorization: Bearer " + admin, "-H", "X-Labdrop-Sha256: " + sha,
                "--data-binary", "@" + big, base + url).start();
        assertThat(new String(curl.getInputStream().readAllBytes()).strip()).isEqualTo("413");
        assertThat(curl.waitFor()).isZero();
        assertThat(put("/api/v1/packages/custom/evil.sh", admin, sha, bytes).statusCode()).isEqualTo(400);
        assertThat(put("/api/v1/packages/nope/test-newtest.tar.bz2", admin, sha, bytes).statusCode()).isEqualTo(404);

        lab.s.accounts().disable("boss");
        assertThat(put(url, admin, sha, bytes).statusCode()).as("a removed user's token stops working").isEqualTo(401);
        assertThat(lab.config.http().repositories().get("custom").resolve("test-newtest.tar.bz2")).doesNotExist();
    }
}
