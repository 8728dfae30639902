package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import labdrop.request.Priority;
import labdrop.server.HostDraft;
import labdrop.server.TestLab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The pages in a real browser: Debian's chromium, headless, driven by Selenium (no browser download). */
class BrowserIT {
    @TempDir
    Path dir;
    TestLab lab;
    ChromeDriver browser;
    String base;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        base = "http://127.0.0.1:" + lab.app.httpPort();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        lab.close();
    }

    void screenshot(String name) throws Exception {
        Path shots = Files.createDirectories(Path.of("target/screenshots"));
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits (up to 15 s) for what a click or navigation should lead to; never for a fixed time. */
    <T> T await(org.openqa.selenium.support.ui.ExpectedCondition<T> condition) {
        return new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(15)).until(condition);
    }

    void logIn(String user, String password) {
        browser.get(base + "/");
        await(ExpectedConditions.titleIs("labdrop — log in"));
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login")).click();
        await(d -> !d.getCurrentUrl().equals(base + "/login") || !d.findElements(By.id("error")).isEmpty());
    }

    @Test
    void anAdminLogsInAndSeesTheHostsTheirStatesAndQueues() throws Exception {
        lab.addActive("sut-b1");
        lab.s.hosts().add(new HostDraft("sut-b2", "default", "arm64", "alice", true, false, null), "admin");
        lab.file("sut-b1", "bob", Priority.NORMAL);
        lab.file("sut-b1", "bob", Priority.HIGH);

        logIn("admin", "not the password");
        assertThat(await(ExpectedConditions.presenceOfElementLocated(By.id("error"))).getText())
                .isEqualTo("Wrong user name or password.");
        screenshot("login-refused");

        logIn("admin", Files.readString(lab.config.stateDir().resolve("admin-password")).strip());
        await(ExpectedConditions.titleIs("labdrop — hosts"));
        var b1 = browser.findElement(By.cssSelector("tr[data-host='sut-b1']"));
        assertThat(b1.findElement(By.className("state")).getText()).isEqualTo("Pending");
        assertThat(b1.getText()).contains("sut-b1").contains("1");
        var b2 = browser.findElement(By.cssSelector("tr[data-host='sut-b2']"));
        assertThat(b2.getText()).contains("Maint").contains("alice (owner-only)").contains("arm64");
        assertThat(browser.findElement(By.cssSelector(".count[data-state='Maint']")).getText()).isEqualTo("Maint: 1");
        screenshot("dashboard");

        browser.findElement(By.id("logout")).click();
        await(ExpectedConditions.urlToBe(base + "/login"));
        browser.get(base + "/");
        await(ExpectedConditions.titleIs("labdrop — log in"));
        assertThat(browser.getCurrentUrl()).as("logged out for good").endsWith("/login");
    }

    @Test
    void aTesterFilesThroughTheFormAndSeesPlacementOrTheOwnerOnlyRefusal() throws Exception {
        lab.addActive("sut-f1");
        lab.s.hosts().add(new HostDraft("sut-f2", "default", "", "alice", true, true, null), "admin");
        lab.s.accounts().setAccount("tess", labdrop.user.Role.TESTER, "a long tester password".toCharArray());
        logIn("tess", "a long tester password");
        await(ExpectedConditions.titleIs("labdrop — hosts"));

        browser.findElement(By.id("new-request")).click();
        await(ExpectedConditions.titleIs("labdrop — file a request"));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("host"))).selectByValue("sut-f1");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("test"))).selectByValue("dbench");
        browser.findElement(By.id("args")).sendKeys("-t 60");
        browser.findElement(By.id("file")).click();
        await(ExpectedConditions.textToBe(By.id("r-state"), "Placed"));
        assertThat(browser.findElement(By.id("request")).getText()).contains("tess").contains("dbench -t 60");
        assertThat(browser.findElement(By.id("timeline")).getText()).contains("Queued").contains("Placed");
        String id = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
        assertThat(lab.config.dropDir().resolve("sut-f1/current/" + id + ".xml")).exists();
        screenshot("request-placed");

        browser.get(base + "/requests/new");
        await(ExpectedConditions.titleIs("labdrop — file a request"));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("host"))).selectByValue("sut-f2");
        browser.findElement(By.id("file")).click();
        await(ExpectedConditions.textToBe(By.id("r-state"), "Rejected"));
        assertThat(browser.findElement(By.id("r-reason")).getText()).contains("owner-only").contains("'alice'");
        screenshot("request-rejected");
    }

    @Test
    void aRequestFiledInTheBrowserIsRunByALocalAgentAndItsLogIsReadable() throws Exception {
        labdrop.agent.SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        lab.addActive("sut-g1");
        lab.s.accounts().setAccount("tess", labdrop.user.Role.TESTER, "a long tester password".toCharArray());
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        labdrop.agent.Agent agent = new labdrop.agent.Agent(labdrop.agent.AgentConfig.load(null, Map.of(
                "LABDROP_HOST", "sut-g1", "LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-g1").toUri().toString(),
                "LABDROP_WORK_DIR", dir.resolve("agent").toString(),
                "LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString())),
                java.time.Clock.systemUTC(), new java.util.Random(1));
        logIn("tess", "a long tester password");
        await(ExpectedConditions.titleIs("labdrop — hosts"));

        for (String args : new String[] {"pass", "fail"}) {
            browser.get(base + "/requests/new");
            await(ExpectedConditions.titleIs("labdrop — file a request"));
            new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("host"))).selectByValue("sut-g1");
            new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("test"))).selectByValue("smoke");
            browser.findElement(By.id("args")).sendKeys(args);
            browser.findElement(By.id("file")).click();
            await(ExpectedConditions.textToBe(By.id("r-state"), "Placed"));
            String url = browser.getCurrentUrl();
            String id = url.substring(url.lastIndexOf('/') + 1);
            assertThat(agent.poll()).isEqualTo(labdrop.agent.Agent.Outcome.RAN);
            String expected = args.equals("pass") ? "Passed" : "Failed";
            await(d -> {
                d.navigate().refresh();
                return d.findElement(By.id("r-state")).getText().equals(expected);
            });
            assertThat(browser.findElement(By.id("results")).getText()).contains("smoke").contains(args.equals("pass") ? "pass" : "fail");
            screenshot("request-" + expected.toLowerCase());
            String log = args.equals("pass") ? "logs/1-smoke.stdout" : "logs/1-smoke.stderr";
            browser.findElement(By.linkText(log)).click();
            await(ExpectedConditions.urlToBe(base + "/requests/" + id + "/log/" + log));
            assertThat(browser.findElement(By.tagName("body")).getText())
                    .contains(args.equals("pass") ? "smoke pass rebootcount=0 request=" + id : "smoke failed on purpose");
        }
        browser.get(base + "/requests/r-1/log/logs/../../../sut-g1/state_file");
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("No such").doesNotContain("urn:labdrop:state");
    }

    @Test
    void anAdminEditsDirectionsInTheBrowserAndTheDropFileChangesWithHistory() throws Exception {
        lab.addActive("sut-h1");
        Path directions = lab.config.dropDir().resolve("sut-h1/config/directions");
        logIn("admin", Files.readString(lab.config.stateDir().resolve("admin-password")).strip());
        await(ExpectedConditions.titleIs("labdrop — hosts"));
        browser.findElement(By.linkText("sut-h1")).click();
        await(ExpectedConditions.titleIs("labdrop — sut-h1"));

        var editor = browser.findElement(By.id("directions"));
        editor.clear();
        editor.sendKeys("auto_retrieve = false\nmax_load = 4\n");
        browser.findElement(By.id("save-directions")).click();
        await(ExpectedConditions.textToBePresentInElementLocated(By.id("history"), "+max_load = 4"));
        assertThat(directions).hasContent("auto_retrieve = false\nmax_load = 4\n");
        String history = browser.findElement(By.id("history")).getText();
        assertThat(history).contains("by admin").contains("+auto_retrieve = false").contains("+max_load = 4");
        screenshot("host-directions");

        editor = browser.findElement(By.id("directions"));
        editor.clear();
        editor.sendKeys("bogus = 1\n");
        browser.findElement(By.id("save-directions")).click();
        assertThat(await(ExpectedConditions.presenceOfElementLocated(By.id("error"))).getText())
                .contains("was not saved").contains("unknown key 'bogus'");
        assertThat(directions).as("an invalid edit never reaches the drop").hasContent("auto_retrieve = false\nmax_load = 4\n");

        browser.findElement(By.id("maint")).click();
        await(ExpectedConditions.textToBe(By.id("h-state"), "Maint"));
    }
}
