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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.server.HostDraft;
import labdrop.server.TestLab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions, CSRF, Origin, escaping and headers of the pages, over plain HTTP with a cookie jar. */
class WebSecurityIT {
    @TempDir
    Path dir;
    TestLab lab;
    String base;
    HttpClient browser;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        base = "http://127.0.0.1:" + lab.app.httpPort();
        browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, Map<String, String> form, String origin) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(m.find()).as("a CSRF token in the form").isTrue();
        return m.group(1);
    }

    String adminPassword() throws Exception {
        return Files.readString(lab.config.stateDir().resolve("admin-password")).strip();
    }

    @Test
    void anonymousPagesRedirectToLoginAndEveryPageCarriesTheSecurityHeaders() throws Exception {
        HttpResponse<String> home = get("/");
        assertThat(home.statusCode()).isEqualTo(302);
        assertThat(home.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        HttpResponse<String> login = get("/login");
        assertThat(login.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(home.headers().allValues("Set-Cookie")).as("the session cookie, set on the first page")
                .anySatisfy(c -> assertThat(c).contains("HttpOnly").contains("SameSite=Strict"));
    }

    @Test
    void formsWithoutTheTokenOrFromAnotherSiteAreRefused() throws Exception {
        String token = csrf(get("/login").body());
        assertThat(post("/login", Map.of("user", "admin", "password", adminPassword()), null).statusCode()).isEqualTo(403);
        assertThat(post("/login", Map.of("csrf", "forged", "user", "admin", "password", adminPassword()), null).statusCode())
                .isEqualTo(403);
        assertThat(post("/login", Map.of("csrf", token, "user", "admin", "password", adminPassword()), "http://evil.example")
                .statusCode()).isEqualTo(403);
        assertThat(get("/").statusCode()).as("still logged out").isEqualTo(302);
    }

    @Test
    void aWrongPasswordIsRefusedAndTheRightOneLogsInWithANewSessionId() throws Exception {
        String token = csrf(get("/login").body());
        HttpResponse<String> wrong = post("/login", Map.of("csrf", token, "user", "admin", "password", "admin"), null);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("Wrong user name or password.");
        String before = wrong.request().headers().firstValue("Cookie").orElse("");
        HttpResponse<String> ok = post("/login", Map.of("csrf", token, "user", "admin", "password", adminPassword()), base);
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.headers().allValues("Set-Cookie")).as("session id renewed at login")
                .anySatisfy(c -> assertThat(c).startsWith("JSESSIONID=").isNotEqualTo(before));
        assertThat(get("/").statusCode()).isEqualTo(200);
    }

    @Test
    void storedMarkupInFreeTextIsRenderedInert() throws Exception {
        String payload = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        lab.s.hosts().add(new HostDraft("sut-xss", "default", payload, null, false, true, null), "admin");
        String token = csrf(get("/login").body());
        post("/login", Map.of("csrf", token, "user", "admin", "password", adminPassword()), null);
        String page = get("/").body();
        assertThat(page).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;")
                .doesNotContain("<script>alert").doesNotContain("<img src=x");
        var filed = lab.s.desk().file(new labdrop.request.RequestSpec("sut-xss", "admin",
                java.util.List.of(labdrop.request.TestSpec.parse("dbench:<script>alert(2)</script>")),
                labdrop.request.Priority.NORMAL, false, "<b>kernel</b>", null, null, null));
        String requestPage = get("/requests/" + filed.id()).body();
        assertThat(requestPage).contains("dbench &lt;script&gt;alert(2)&lt;/script&gt;").doesNotContain("<script>alert(2)");
    }

    @Test
    void aTesterCannotChangeHosts() throws Exception {
        lab.addActive("sut-t1");
        lab.s.accounts().setAccount("tess", labdrop.user.Role.TESTER, "a long tester password".toCharArray());
        String token = csrf(get("/login").body());
        post("/login", Map.of("csrf", token, "user", "tess", "password", "a long tester password"), null);
        String fresh = csrf(get("/hosts/sut-t1").body());
        assertThat(get("/hosts/sut-t1").body()).doesNotContain("save-directions");
        assertThat(post("/hosts/sut-t1/maint", Map.of("csrf", fresh), null).statusCode()).isEqualTo(403);
        assertThat(post("/hosts/sut-t1/config/directions", Map.of("csrf", fresh, "content", "auto_retrieve = false"), null)
                .statusCode()).isEqualTo(403);
        assertThat(lab.s.hosts().show("sut-t1").state()).isEqualTo(labdrop.host.HostState.AVAILABLE);
    }
}
