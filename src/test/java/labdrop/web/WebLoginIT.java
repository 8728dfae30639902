package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import labdrop.app.TestLab;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anonymous visitor's boundary: no session before a login, throttled guessing, refusals
 * that take the same time whatever the account, sessions ended by a password or role change,
 * security headers on the package listings, and a state folder closed to other users.
 */
class WebLoginIT {
    @TempDir
    Path dir;
    TestLab lab;
    String base;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        base = "http://127.0.0.1:" + lab.app.httpPort();
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-1".toCharArray());
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    static HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    }

    HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> logIn(HttpClient client, String user, String password) throws Exception {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(get(client, "/login").body());
        assertThat(m.find()).isTrue();
        String body = "csrf=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8) + "&user=" + user + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        return client.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anonymousVisitorsGetNoSession() throws Exception {
        HttpClient anonymous = HttpClient.newHttpClient();
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> home = get(anonymous, "/");
            assertThat(home.statusCode()).isEqualTo(302);
            assertThat(home.headers().allValues("Set-Cookie")).as("no session for an anonymous GET /").isEmpty();
            HttpResponse<String> login = get(anonymous, "/login");
            assertThat(login.headers().allValues("Set-Cookie")).as("only the login form's nonce")
                    .allSatisfy(c -> assertThat(c).startsWith("labdrop_login=").contains("HttpOnly")
                            .contains("SameSite=Strict"));
        }
        HttpClient tess = browser();
        assertThat(logIn(tess, "tess", "tess-password-1").statusCode()).isEqualTo(303);
        assertThat(get(tess, "/").statusCode()).as("the login form works without a session before it").isEqualTo(200);
        HttpClient forger = browser();
        String body = "csrf=9999999999.forged&user=tess&password=tess-password-1";
        HttpResponse<String> forged = forger.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as("a login form not issued here").isEqualTo(403);
    }

    @Test
    void wrongPasswordsAreThrottledWith429AndRetryAfterThenCounted() throws Exception {
        HttpClient guesser = browser();
        for (int i = 0; i < 6; i++) {
            assertThat(logIn(guesser, "admin", "wrong-password-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = logIn(guesser, "admin", "wrong-password-x");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v))
                .isBetween(1, 60));
        assertThat(throttled.body()).contains("Too many wrong passwords");
        String metrics = get(guesser, "/metrics").body();
        assertThat(metrics).containsPattern("labdrop_login_refused_total\\{reason=\"password\"} 6(\\.0)?\n")
                .containsPattern("labdrop_login_refused_total\\{reason=\"throttled\"} 1(\\.0)?\n");
        Thread.sleep(2100);
        assertThat(logIn(guesser, "tess", "tess-password-1").statusCode()).as("the wait is short").isEqualTo(303);
    }

    @Test
    void aRefusalTakesTheSameTimeWhetherOrNotTheAccountExists() {
        List<Long> existing = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            assertThat(lab.s.accounts().logIn("tess", "wrong-password".toCharArray())).isEmpty();
            existing.add(System.nanoTime() - start);
            start = System.nanoTime();
            assertThat(lab.s.accounts().logIn("nobody-" + i, "wrong-password".toCharArray())).isEmpty();
            unknown.add(System.nanoTime() - start);
        }
        existing.sort(null);
        unknown.sort(null);
        double ratio = (double) existing.get(2) / unknown.get(2);
        assertThat(ratio).as("median refusal time, existing / unknown account").isBetween(0.5, 2.0);
    }

    @Test
    void aPasswordOrRoleChangeEndsTheUsersSessions() throws Exception {
        HttpClient tess = browser();
        assertThat(logIn(tess, "tess", "tess-password-1").statusCode()).isEqualTo(303);
        assertThat(get(tess, "/").statusCode()).isEqualTo(200);
        lab.s.accounts().setPassword("tess", "tess-password-2".toCharArray());
        assertThat(get(tess, "/").statusCode()).as("logged out by the password change").isEqualTo(302);
        assertThat(logIn(tess, "tess", "tess-password-2").statusCode()).isEqualTo(303);
        assertThat(get(tess, "/").statusCode()).isEqualTo(200);
        lab.s.accounts().setAccount("tess", Role.ADMIN, "tess-password-2".toCharArray());
        assertThat(get(tess, "/").statusCode()).as("logged out by the role change").isEqualTo(302);
    }

    @Test
    void packageListingsCarryTheSecurityHeaders() throws Exception {
        HttpResponse<String> listing = get(HttpClient.newHttpClient(), "/packages/builtin/");
        assertThat(listing.statusCode()).isEqualTo(200);
        assertThat(listing.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(listing.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(listing.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    }

    @Test
    void theStateFolderAndItsSecretsAreClosedToOtherUsers() throws Exception {
        Path state = lab.config.stateDir();
        assertThat(Files.getPosixFilePermissions(state)).doesNotContain(PosixFilePermission.OTHERS_READ,
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.GROUP_WRITE);
        assertThat(Files.getPosixFilePermissions(state.resolve("db"))).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
        try (Stream<Path> files = Files.list(state.resolve("db"))) {
            for (Path f : files.toList()) {
                assertThat(Files.getPosixFilePermissions(f)).as(f.toString())
                        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            }
        }
        assertThat(Files.getPosixFilePermissions(state.resolve("admin-password")))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    }
}
