package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.app.TestLab;
import labdrop.app.TestNginx;
import labdrop.testing.Ports;
import labdrop.tls.TestCa;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * HTTPS as testers meet it, in Debian's chromium trusting only the test's certificate: served by
 * labdrop itself, and through Debian's nginx as a TLS-terminating proxy on loopback (its upstream
 * connections come from 127.0.0.2, the one trusted proxy address), where a forged
 * X-Forwarded-Proto from anyone else is not believed.
 */
class TlsIT {
    @TempDir
    Path dir;
    TestLab lab;
    ChromeDriver browser;
    TestNginx nginx;

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (nginx != null) {
            nginx.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    ChromeDriver browser(TestCa ca) throws Exception {
        return TestChromium.start(dir.resolve("chromium-profile"), "--ignore-certificate-errors-spki-list=" + ca.spkiHash());
    }

    /** Logs in as tess, files dbench on sut-t1 through the form, and sees it Placed. */
    void logInAndFile(String base) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get(base + "/");
        wait.until(ExpectedConditions.titleIs("labdrop — log in"));
        browser.findElement(By.id("user")).sendKeys("tess");
        browser.findElement(By.id("password")).sendKeys("a long tester password");
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.titleIs("labdrop — hosts"));
        browser.findElement(By.id("new-request")).click();
        wait.until(ExpectedConditions.titleIs("labdrop — file a request"));
        new Select(browser.findElement(By.id("host"))).selectByValue("sut-t1");
        new Select(browser.findElement(By.id("test-1"))).selectByValue("dbench");
        browser.findElement(By.id("file")).click();
        wait.until(ExpectedConditions.textToBe(By.id("r-state"), "Placed"));
        assertThat(browser.getCurrentUrl()).startsWith(base + "/requests/r-");
    }

    void startLab(Map<String, String> env) throws Exception {
        lab = new TestLab(dir.resolve("state"), null, env);
        lab.addActive("sut-t1");
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
    }

    @Test
    void aBrowserLogsInAndFilesOverHttpsServedByLabdrop() throws Exception {
        TestCa ca = new TestCa(dir.resolve("ca"));
        startLab(Map.of("LABDROP_HTTP_TLS_CERTIFICATE", ca.certificate.toString(), "LABDROP_HTTP_TLS_KEY", ca.key.toString()));
        browser = browser(ca);
        logInAndFile("https://127.0.0.1:" + lab.app.httpPort());
        assertThat(browser.manage().getCookieNamed("JSESSIONID").isSecure()).as("the session cookie is Secure").isTrue();
    }

    @Test
    void behindNginxTheBrowserWorksAndAForgedForwardedProtoIsNotBelieved() throws Exception {
        TestCa ca = new TestCa(dir.resolve("ca"));
        startLab(Map.of("LABDROP_HTTP_TRUSTED_PROXIES", "127.0.0.2"));
        int backend = lab.app.httpPort();
        int front = Ports.free();
        nginx = startNginx(ca, front, backend);
        String base = "https://127.0.0.1:" + front;
        HttpClient viaProxy = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> viaProxy.send(
                HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode() == 200);
        HttpResponse<String> login = viaProxy.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.headers().firstValue("Strict-Transport-Security")).as("the proxy's https is believed")
                .hasValue("max-age=31536000");

        browser = browser(ca);
        logInAndFile(base);
        assertThat(browser.manage().getCookieNamed("JSESSIONID").isSecure()).isTrue();

        // Straight to labdrop from 127.0.0.1, which is not the proxy: the forged headers count for nothing.
        HttpClient direct = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String plain = "http://127.0.0.1:" + backend;
        HttpResponse<String> page = direct.send(HttpRequest.newBuilder(URI.create(plain + "/login"))
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "127.0.0.1:" + front).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Strict-Transport-Security")).as("not believed to be https").isEmpty();
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertThat(m.find()).isTrue();
        String form = "csrf=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8)
                + "&user=tess&password=" + URLEncoder.encode("a long tester password", StandardCharsets.UTF_8);
        HttpResponse<String> forged = direct.send(HttpRequest.newBuilder(URI.create(plain + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base)
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "127.0.0.1:" + front)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as("the https Origin does not match what this untrusted client reached")
                .isEqualTo(403);
    }

    TestNginx startNginx(TestCa ca, int front, int backend) throws Exception {
        return TestNginx.start(dir.resolve("nginx"), String.join("\n",
                "  access_log off;",
                "  server {",
                "    listen 127.0.0.1:" + front + " ssl;",
                "    ssl_certificate " + ca.certificate + ";",
                "    ssl_certificate_key " + ca.key + ";",
                "    location / {",
                "      proxy_pass http://127.0.0.1:" + backend + ";",
                "      proxy_bind 127.0.0.2;",
                "      proxy_set_header Host $http_host;",
                "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                "      proxy_set_header X-Forwarded-Proto https;",
                "    }",
                "  }"));
    }

}
