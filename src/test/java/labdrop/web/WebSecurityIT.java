package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.request.Priority;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.user.Role;
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
        assertThat(home.headers().allValues("Set-Cookie")).as("no session before a login").isEmpty();
        assertThat(login.headers().allValues("Set-Cookie")).as("the login form's nonce")
                .allSatisfy(c -> assertThat(c).contains("HttpOnly").contains("SameSite=Strict"));
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
                .anySatisfy(c -> assertThat(c).startsWith("JSESSIONID=").isNotEqualTo(before).contains("HttpOnly")
                        .contains("SameSite=Strict"));
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
        var filed = lab.s.desk().file(new RequestSpec("sut-xss", "admin",
                List.of(TestSpec.parse("dbench:<script>alert(2)</script>")),
                Priority.NORMAL, false, "<b>kernel</b>", null, null, null));
        String requestPage = get("/requests/" + filed.id()).body();
        assertThat(requestPage).contains("dbench &lt;script&gt;alert(2)&lt;/script&gt;").doesNotContain("<script>alert(2)");
    }

    @Test
    void aTesterCannotChangeHosts() throws Exception {
        lab.addActive("sut-t1");
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
        String token = csrf(get("/login").body());
        post("/login", Map.of("csrf", token, "user", "tess", "password", "a long tester password"), null);
        String fresh = csrf(get("/hosts/sut-t1").body());
        assertThat(get("/hosts/sut-t1").body()).doesNotContain("save-config").doesNotContain("add-key").doesNotContain("maint");
        lab.s.keys().add("host", "sut-t1", ApiContractIT.OLIVE_KEY, "test", "admin");
        String before = Files.readString(lab.config.dropDir().resolve("sut-t1/config/directions"));
        Map<String, Map<String, String>> adminForms = new LinkedHashMap<>();
        adminForms.put("/hosts/sut-t1/maint", Map.of());
        adminForms.put("/hosts/sut-t1/activate", Map.of());
        adminForms.put("/hosts/sut-t1/retire", Map.of());
        adminForms.put("/hosts/sut-t1/settings", Map.of("owner", "tess", "ownerOnly", "true"));
        adminForms.put("/hosts/sut-t1/config/directions", Map.of("content", "auto_retrieve = false"));
        adminForms.put("/hosts/sut-t1/config/", Map.of("name", "extra", "content", "x = 1"));
        adminForms.put("/hosts/sut-t1/keys", Map.of("key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJRm4b6e7uLm8pKkq2wVpQmQ2cM3JwGQm3CqV5mX2l8H t"));
        adminForms.put("/hosts/sut-t1/keys/remove", Map.of("fingerprint", "SHA256:6fXUKEBJCTiqRRbaKyDvYH79m33/oXbPt16I63p9wtA"));
        adminForms.put("/admin/hosts", Map.of("name", "sut-t9"));
        adminForms.put("/admin/users", Map.of("name", "mallory", "role", "admin", "password", "a long enough password"));
        adminForms.put("/admin/users/remove", Map.of("name", "admin"));
        for (Map.Entry<String, Map<String, String>> form : adminForms.entrySet()) {
            Map<String, String> fields = new HashMap<>(form.getValue());
            fields.put("csrf", fresh);
            assertThat(post(form.getKey(), fields, null).statusCode()).as("a tester posting " + form.getKey()).isEqualTo(403);
        }
        assertThat(get("/admin").statusCode()).isEqualTo(403);
        HttpResponse<String> upload = browser.send(HttpRequest.newBuilder(URI.create(base + "/admin/packages"))
                .header("Content-Type", "multipart/form-data; boundary=b")
                .POST(HttpRequest.BodyPublishers.ofString("--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fresh
                        + "\r\n--b--\r\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).isEqualTo(403);
        assertThat(upload.headers().firstValue("Connection")).as("the unread upload closes the connection, and says so")
                .hasValue("close");
        assertThat(lab.s.hosts().show("sut-t1").state()).isEqualTo(HostState.AVAILABLE);
        assertThat(lab.s.hosts().show("sut-t1").owner()).isNull();
        assertThat(lab.config.dropDir().resolve("sut-t1/config/directions")).hasContent(before);
        assertThat(lab.config.dropDir().resolve("sut-t1/config/extra")).doesNotExist();
        assertThat(lab.s.keys().list("host", "sut-t1")).hasSize(1);
        assertThat(lab.s.hosts().list()).extracting(Host::name).doesNotContain("sut-t9");
        assertThat(lab.s.accounts().logIn("mallory", "a long enough password".toCharArray())).isEmpty();
        assertThat(lab.s.accounts().find("admin").canLogIn()).isTrue();

        // The same through the API with the tester's token.
        String tess = lab.s.accounts().newToken("tess", "t");
        HttpClient api = HttpClient.newHttpClient();
        String[][] calls = {{"POST", "/api/v1/hosts", "{\"name\":\"sut-t8\"}"}, {"PATCH", "/api/v1/hosts/sut-t1", "{\"owner\":\"tess\"}"},
            {"POST", "/api/v1/hosts/sut-t1/retire", ""}, {"PUT", "/api/v1/hosts/sut-t1/config/directions", "auto_retrieve = false"},
            {"POST", "/api/v1/hosts/sut-t1/keys", "{\"key\":\"x\"}"}, {"DELETE", "/api/v1/hosts/sut-t1/keys?fingerprint=x", ""},
            {"POST", "/api/v1/users", "{\"name\":\"mallory\",\"password\":\"a long enough password\"}"},
            {"DELETE", "/api/v1/users/admin", ""}};
        for (String[] call : calls) {
            HttpResponse<String> answer = api.send(HttpRequest.newBuilder(URI.create(base + call[1]))
                    .header("Authorization", "Bearer " + tess)
                    .method(call[0], HttpRequest.BodyPublishers.ofString(call[2])).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(call[0] + " " + call[1]).isEqualTo(403);
            assertThat(answer.body()).contains("only admins");
        }
        assertThat(lab.s.hosts().show("sut-t1").state()).isEqualTo(HostState.AVAILABLE);
        assertThat(lab.config.dropDir().resolve("sut-t1/config/directions")).hasContent(before);
    }

    @Test
    void anonymousWritesAreRefusedWith401AndChangeNothing() throws Exception {
        lab.addActive("sut-a1");
        String token = csrf(get("/login").body());
        HttpResponse<String> form = post("/requests", Map.of("csrf", token, "host", "sut-a1", "test-1", "dbench"), null);
        assertThat(form.statusCode()).isEqualTo(401);
        assertThat(post("/hosts/sut-a1/maint", Map.of("csrf", token), null).statusCode()).isEqualTo(401);
        assertThat(post("/admin/users", Map.of("csrf", token, "name", "x", "password", "a long enough password"), null)
                .statusCode()).isEqualTo(401);
        HttpClient api = HttpClient.newHttpClient();
        for (String[] call : new String[][] {{"POST", "/api/v1/requests"}, {"POST", "/api/v1/hosts/sut-a1/maint"},
            {"PUT", "/api/v1/hosts/sut-a1/config/directions"}, {"POST", "/api/v1/requests/r-1/cancel"}}) {
            HttpResponse<String> answer = api.send(HttpRequest.newBuilder(URI.create(base + call[1]))
                    .header("Authorization", "Bearer not-a-token")
                    .method(call[0], HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(call[0] + " " + call[1]).isEqualTo(401);
        }
        assertThat(lab.s.desk().list("sut-a1", null, 10)).isEmpty();
        assertThat(lab.s.hosts().show("sut-a1").state()).isEqualTo(HostState.AVAILABLE);
    }

    /**
     * A client that reuses connections (java.net.http, curl --next, a script's HTTP library) must not meet a
     * connection the server closed without saying so: a refused call's body, arriving after its headers as over a
     * real network, is read before the answer, and the next call on the same connection is answered.
     */
    @Test
    void refusedApiCallsWithABodyLeaveTheConnectionUsable() throws Exception {
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
        String tess = lab.s.accounts().newToken("tess", "t");
        try (Socket socket = new Socket("127.0.0.1", lab.app.httpPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String[][] calls = {{"not-a-token", "POST", "/api/v1/requests", "401"}, {tess, "POST", "/api/v1/hosts", "403"},
                {tess, "PATCH", "/api/v1/hosts/sut-none", "404"}, {tess, "GET", "/api/v1/me", "200"}};
            for (String[] call : calls) {
                String body = call[1].equals("GET") ? "" : "{\"name\":\"sut-t8\"}";
                out.write((call[1] + " " + call[2] + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + call[0]
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(200);   // the body comes in its own packet, after the server has seen the headers
                out.write(body.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Map<String, String> head = readHead(in);
                assertThat(head).as(call[1] + " " + call[2] + " answered on the reused connection").isNotEmpty();
                assertThat(head.get(":status")).as(call[1] + " " + call[2]).isEqualTo(call[3]);
                assertThat(head.get("connection")).as(call[1] + " " + call[2]).isNotEqualToIgnoringCase("close");
                in.readNBytes(Integer.parseInt(head.get("content-length")));
            }
        }
        assertThat(lab.s.hosts().list()).extracting(Host::name).doesNotContain("sut-t8");
    }

    /** The status and headers (names lower-cased) of one HTTP/1.1 answer; empty when the server closed the connection. */
    static Map<String, String> readHead(InputStream in) throws IOException {
        Map<String, String> head = new HashMap<>();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c != '\n') {
                line.append((char) c);
                continue;
            }
            String text = line.toString().strip();
            line.setLength(0);
            if (text.isEmpty()) {
                return head;
            }
            if (head.isEmpty()) {
                head.put(":status", text.split(" ")[1]);
            } else {
                int colon = text.indexOf(':');
                head.put(text.substring(0, colon).strip().toLowerCase(Locale.ROOT), text.substring(colon + 1).strip());
            }
        }
        return Map.of();
    }

    @Test
    void markupInConfigFilesSutMessagesAndTimelineNotesIsInertOnEveryPage() throws Exception {
        String payload = "<script>alert('x')</script>";
        lab.addActive("sut-x2");
        lab.s.hosts().writeConfig("sut-x2", "notes", "owner says: " + payload + "\n", "admin");
        lab.s.hosts().writeConfig("sut-x2", "directions", "# " + payload + "\nauto_retrieve = true\n", "admin");
        var filed = lab.file("sut-x2", "admin", Priority.NORMAL);
        lab.s.desk().cancel(filed.id(), "admin");
        String token = csrf(get("/login").body());
        post("/login", Map.of("csrf", token, "user", "admin", "password", adminPassword()), null);
        for (String page : new String[] {"/hosts/sut-x2", "/hosts/sut-x2?file=notes", "/requests/" + filed.id(), "/", "/admin"}) {
            String body = get(page).body();
            assertThat(body).as(page).doesNotContain("<script>alert");
        }
        assertThat(get("/hosts/sut-x2?file=notes").body()).contains("owner says: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        HttpResponse<String> live = get("/live/hosts.json");
        assertThat(live.headers().firstValue("Content-Type")).hasValue("application/json");
        HttpResponse<String> svg = get("/charts/outcomes.svg?host=sut-x2");
        assertThat(svg.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("image/svg+xml"));
        assertThat(svg.body()).doesNotContain("<script");
    }
}
