package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import labdrop.admin.HostDraft;
import labdrop.notify.Receiver;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.SmokePackage;
import labdrop.app.TestLab;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.RequestRows;
import labdrop.user.Role;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

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
        browser = TestChromium.start(dir.resolve("chromium-profile"));
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

    /**
     * Waits (up to 15 s) for what a click or navigation should lead to; never for a fixed time. An element
     * read while the page is being replaced goes stale: that is "not yet", so the condition is asked again.
     */
    <T> T await(ExpectedCondition<T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(15))
                .ignoring(StaleElementReferenceException.class).until(condition);
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
    void aTesterSeesTheFailingCasesOfARequestAndEveryCaseAPageAtATime() throws Exception {
        lab.addActive("sut-c1");
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-1".toCharArray());
        Request r = lab.file("sut-c1", "tess", Priority.NORMAL);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(r.id()).state() == RequestState.PLACED);
        StringBuilder cases = new StringBuilder("<cases xmlns=\"urn:labdrop:cases:1\" request=\"" + r.id()
                + "\" host=\"sut-c1\">\n<test index=\"1\" name=\"t1\">\n"
                + "<case suite=\"net.Ping\" name=\"v6\" outcome=\"fail\" ms=\"1500\">no route to host</case>\n");
        for (int i = 1; i <= 600; i++) {
            cases.append("<case suite=\"disk\" name=\"c").append(i).append("\" outcome=\"pass\"></case>\n");
        }
        cases.append("<problem>LABDROP_RESULTS_DIR/x.xml: not well-formed XML at line 3</problem>\n</test>\n</cases>\n");
        Path results = Files.createDirectories(lab.config.dropDir().resolve("sut-c1/results/" + r.id()));
        Files.writeString(results.resolve("cases.xml"), cases);
        lab.sut("sut-c1").complete(r.id(), "fail");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lab.s.desk().find(r.id()).state() == RequestState.FAILED);

        logIn("tess", "tess-password-1");
        browser.get(base + "/requests/" + r.id());
        await(ExpectedConditions.presenceOfElementLocated(By.id("failing")));
        assertThat(browser.findElement(By.cssSelector("#results .cases")).getText()).isEqualTo("600 pass · 1 fail");
        WebElement failing = browser.findElement(By.cssSelector("#failing tr:nth-child(2)"));
        assertThat(failing.findElement(By.className("case")).getText()).isEqualTo("net.Ping.v6");
        assertThat(failing.findElement(By.className("message")).getText()).isEqualTo("no route to host");
        assertThat(browser.findElement(By.id("case-problems")).getText()).contains("test 1: LABDROP_RESULTS_DIR/x.xml");
        screenshot("request-cases");

        browser.findElement(By.id("all-cases")).click();
        await(ExpectedConditions.presenceOfElementLocated(By.id("cases")));
        assertThat(browser.findElements(By.cssSelector("#cases tr"))).hasSize(501);
        browser.findElement(By.id("next")).click();
        await(ExpectedConditions.presenceOfElementLocated(By.id("previous")));
        assertThat(browser.findElements(By.cssSelector("#cases tr"))).hasSize(102);
        browser.get(base + "/requests/" + r.id() + "/cases?outcome=fail");
        await(ExpectedConditions.presenceOfElementLocated(By.id("cases")));
        assertThat(browser.findElements(By.cssSelector("#cases .case"))).extracting(WebElement::getText).containsExactly("v6");
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
    void theDashboardShowsAPageOfHostsNarrowedAndGroupedAndItsRowsFollowChangesWithoutAReload() throws Exception {
        for (int i = 0; i < 130; i++) {
            lab.addTyped(String.format("pg-%03d", i), i < 120 ? "x86" : "arm", i % 2 == 0 ? "gpu" : "", null, false);
        }
        logIn("admin", Files.readString(lab.config.stateDir().resolve("admin-password")).strip());
        await(ExpectedConditions.titleIs("labdrop — hosts"));
        assertThat(browser.findElements(By.cssSelector("tr[data-host]"))).as("one page of 100, arm first").hasSize(100);
        assertThat(browser.findElement(By.id("paging")).getText()).contains("130 hosts").contains("page 1 of 2");
        assertThat(browser.findElement(By.cssSelector("tbody[data-group='arm']")).getText()).contains("pg-120").contains("pg-129");

        ((JavascriptExecutor) browser).executeScript("window.sameDocument = true;");
        lab.s.hosts().maint("pg-005");
        await(d -> d.findElement(By.cssSelector("tr[data-host='pg-005'] .state")).getText().equals("Maint"));
        await(d -> d.findElement(By.cssSelector(".count[data-state='Maint'] .n")).getText().equals("1"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument === true;"))
                .as("the row changed in place, the page was not reloaded").isEqualTo(true);
        screenshot("dashboard-page");

        browser.findElement(By.id("page-next")).click();
        await(ExpectedConditions.urlContains("page=2"));
        assertThat(browser.findElements(By.cssSelector("tr[data-host]"))).hasSize(30);

        new Select(browser.findElement(By.name("state"))).selectByValue("Maint");
        new Select(browser.findElement(By.name("group"))).selectByValue("labels");
        browser.findElement(By.cssSelector("#host-filter button")).click();
        await(ExpectedConditions.urlContains("state=Maint"));
        assertThat(browser.findElements(By.cssSelector("tr[data-host]"))).extracting(e -> e.getAttribute("data-host"))
                .containsExactly("pg-005");
        lab.s.hosts().maint("pg-008");
        await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tbody[data-group='gpu'] tr[data-host='pg-008']")));
        assertThat(browser.findElements(By.cssSelector("tr[data-host]"))).as("a host that joined the filter shows").hasSize(2);
    }

    @Test
    void aTesterFilesThroughTheFormAndSeesPlacementOrTheOwnerOnlyRefusal() throws Exception {
        lab.addActive("sut-f1");
        lab.s.hosts().add(new HostDraft("sut-f2", "default", "", "alice", true, true, null), "admin");
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
        logIn("tess", "a long tester password");
        await(ExpectedConditions.titleIs("labdrop — hosts"));

        browser.findElement(By.id("new-request")).click();
        await(ExpectedConditions.titleIs("labdrop — file a request"));
        new Select(browser.findElement(By.id("host"))).selectByValue("sut-f1");
        new Select(browser.findElement(By.id("test-1"))).selectByValue("dbench");
        browser.findElement(By.id("args-1")).sendKeys("-t 60");
        browser.findElement(By.id("file")).click();
        await(ExpectedConditions.textToBe(By.id("r-state"), "Placed"));
        assertThat(browser.findElement(By.id("request")).getText()).contains("tess").contains("dbench -t 60");
        assertThat(browser.findElement(By.id("timeline")).getText()).contains("Queued").contains("Placed");
        String id = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
        assertThat(lab.config.dropDir().resolve("sut-f1/current/" + id + ".xml")).exists();
        screenshot("request-placed");

        browser.get(base + "/requests/new");
        await(ExpectedConditions.titleIs("labdrop — file a request"));
        new Select(browser.findElement(By.id("host"))).selectByValue("sut-f2");
        browser.findElement(By.id("file")).click();
        await(ExpectedConditions.textToBe(By.id("r-state"), "Rejected"));
        assertThat(browser.findElement(By.id("r-reason")).getText()).contains("owner-only").contains("'alice'");
        screenshot("request-rejected");
    }

    @Test
    void aRequestFiledInTheBrowserIsRunByALocalAgentAndItsLogIsReadable() throws Exception {
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        lab.addActive("sut-g1");
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        Agent agent = new Agent(AgentConfig.load(null, Map.of(
                "LABDROP_HOST", "sut-g1", "LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-g1").toUri().toString(),
                "LABDROP_WORK_DIR", dir.resolve("agent").toString(),
                "LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString())),
                Clock.systemUTC(), new Random(1));
        logIn("tess", "a long tester password");
        await(ExpectedConditions.titleIs("labdrop — hosts"));

        for (String args : new String[] {"pass", "fail"}) {
            browser.get(base + "/requests/new");
            await(ExpectedConditions.titleIs("labdrop — file a request"));
            new Select(browser.findElement(By.id("host"))).selectByValue("sut-g1");
            new Select(browser.findElement(By.id("test-1"))).selectByValue("smoke");
            browser.findElement(By.id("args-1")).sendKeys(args);
            browser.findElement(By.id("file")).click();
            await(ExpectedConditions.textToBe(By.id("r-state"), "Placed"));
            String url = browser.getCurrentUrl();
            String id = url.substring(url.lastIndexOf('/') + 1);
            assertThat(agent.poll()).isEqualTo(Agent.Outcome.RAN);
            String expected = args.equals("pass") ? "Passed" : "Failed";
            await(d -> {
                d.navigate().refresh();
                return d.findElement(By.id("r-state")).getText().equals(expected);
            });
            assertThat(browser.findElement(By.id("results")).getText()).contains("smoke").contains(args.equals("pass") ? "pass" : "fail");
            assertThat(browser.findElement(By.id("sysinfo")).getText()).contains("sysinfo/packages.txt");
            screenshot("request-" + expected.toLowerCase());
            String log = args.equals("pass") ? "logs/1-smoke.stdout" : "logs/1-smoke.stderr";
            browser.findElement(By.linkText(log)).click();
            await(ExpectedConditions.urlToBe(base + "/requests/" + id + "/log/" + log));
            assertThat(browser.findElement(By.tagName("body")).getText())
                    .contains(args.equals("pass") ? "smoke pass rebootcount=0 request=" + id : "smoke failed on purpose");
        }
        browser.get(base + "/requests/r-1");
        browser.findElement(By.linkText("sysinfo/packages.txt")).click();
        assertThat(browser.findElement(By.tagName("body")).getText()).as("the SUT's package list").contains("coreutils");
        browser.get(base + "/requests/r-1/log/logs/../../../sut-g1/state_file");
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("No such").doesNotContain("urn:labdrop:state");
    }

    /** A real agent for {@code host}, fetching from the server's builtin repository, its work folder its own. */
    Agent agentFor(String host) throws Exception {
        Path bootId = Files.writeString(dir.resolve("boot_id-" + host), "boot-1\n");
        return new Agent(AgentConfig.load(null, Map.of(
                "LABDROP_HOST", host, "LABDROP_DROP_URL", lab.config.dropDir().resolve(host).toUri().toString(),
                "LABDROP_WORK_DIR", dir.resolve("agent-" + host).toString(),
                "LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE", bootId.toString())),
                Clock.systemUTC(), new Random(1));
    }

    @Test
    void theFormFilesAThreeTestPoolRequestAndATwoHostJobThatRunToPassedAndTheRequestsPageFindsThem() throws Exception {
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        lab.addTyped("board-a", "board", "", null, false);
        lab.addTyped("board-b", "board", "", null, false);
        lab.addActive("x86-1");
        Request other = lab.file("x86-1", "bob", Priority.NORMAL);
        List<Agent> agents = List.of(agentFor("board-a"), agentFor("board-b"));
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
        logIn("tess", "a long tester password");
        await(ExpectedConditions.titleIs("labdrop — hosts"));
        assertThat(browser.findElement(By.cssSelector("#pools tr[data-type='board']")).getText())
                .as("the pool, its two available hosts").startsWith("board 2 2 0 0 0 0 0");
        assertThat(browser.findElement(By.cssSelector("tbody[data-group='board']")).getText())
                .as("hosts grouped by type").contains("board-a").contains("board-b").doesNotContain("x86-1");

        browser.get(base + "/requests/new");
        await(ExpectedConditions.titleIs("labdrop — file a request"));
        browser.findElement(By.id("target-pool")).click();
        new Select(browser.findElement(By.id("type"))).selectByValue("board");
        String[] args = {"pass", "pass second", "pass third"};
        for (int n = 1; n <= 3; n++) {
            new Select(browser.findElement(By.id("test-" + n))).selectByValue("smoke");
            browser.findElement(By.id("args-" + n)).sendKeys(args[n - 1]);
        }
        browser.findElement(By.id("add-test")).click();
        assertThat(new Select(browser.findElement(By.id("test-4"))).getFirstSelectedOption().getText())
                .as("an added row starts empty and is left out").isEqualTo("(none)");
        browser.findElement(By.id("file")).click();
        await(ExpectedConditions.textToBe(By.id("r-state"), "Placed"));
        String single = browser.findElement(By.tagName("h1")).getText().replace("Request ", "");
        assertThat(browser.findElement(By.id("r-pool")).getText()).isEqualTo("board");
        assertThat(browser.findElement(By.id("r-tests")).getText()).isEqualTo("smoke pass\nsmoke pass second\nsmoke pass third");

        browser.get(base + "/requests/new");
        await(ExpectedConditions.titleIs("labdrop — file a request"));
        browser.findElement(By.id("target-pool")).click();
        new Select(browser.findElement(By.id("type"))).selectByValue("board");
        new Select(browser.findElement(By.id("test-1"))).selectByValue("smoke");
        browser.findElement(By.id("args-1")).sendKeys("pass");
        browser.findElement(By.id("hosts")).sendKeys("2");
        browser.findElement(By.id("file")).click();
        await(ExpectedConditions.titleContains("labdrop — j-"));
        String job = browser.findElement(By.tagName("h1")).getText().replace("Job ", "");
        assertThat(browser.findElement(By.id("members")).findElements(By.cssSelector("tr[data-request]"))).hasSize(2);
        screenshot("job-queued");

        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
            for (Agent agent : agents) {
                agent.poll();
            }
            return lab.s.desk().findJob(job).state().equals("Passed")
                    && lab.s.desk().find(single).state() == RequestState.PASSED;
        });
        assertThat(lab.s.desk().findJob(job).members()).extracting(Request::host).as("two distinct hosts")
                .containsExactlyInAnyOrder("board-a", "board-b");
        browser.navigate().refresh();
        await(ExpectedConditions.textToBe(By.id("j-state"), "Passed"));
        screenshot("job-passed");
        browser.get(base + "/requests/" + single);
        assertThat(browser.findElement(By.id("r-state")).getText()).isEqualTo("Passed");
        assertThat(browser.findElement(By.id("results")).findElements(By.className("outcome"))).hasSize(3)
                .allMatch(e -> e.getText().equals("pass"));

        browser.get(base + "/requests");
        await(ExpectedConditions.titleIs("labdrop — requests"));
        browser.findElement(By.id("f-mine")).click();
        new Select(browser.findElement(By.id("f-type"))).selectByValue("board");
        browser.findElement(By.id("filter")).click();
        await(ExpectedConditions.urlContains("mine=true"));
        List<String> ids = browser.findElements(By.cssSelector("#requests tr[data-request]")).stream()
                .map(e -> e.getAttribute("data-request")).toList();
        List<String> expected = new ArrayList<>(lab.s.desk().findJob(job).members().stream().map(Request::id).toList());
        expected.add(single);
        assertThat(ids).as("tess's board requests, newest first, not bob's").containsExactlyInAnyOrderElementsOf(expected)
                .doesNotContain(other.id());
        browser.findElement(By.id("f-q")).sendKeys("pass third");
        browser.findElement(By.id("filter")).click();
        await(d -> d.findElements(By.cssSelector("#requests tr[data-request]")).size() == 1);
        assertThat(browser.findElement(By.cssSelector("#requests tr[data-request]")).getAttribute("data-request"))
                .as("free text finds a test's arguments").isEqualTo(single);
        screenshot("requests-filtered");
        browser.get(base + "/jobs/" + job);
        browser.findElement(By.id("job-requests")).click();
        await(d -> d.findElements(By.cssSelector("#requests tr[data-request]")).size() == 2);
    }

    @Test
    void anAdminEditsDirectionsInTheBrowserAndTheDropFileChangesWithHistory() throws Exception {
        lab.addActive("sut-h1");
        Path directions = lab.config.dropDir().resolve("sut-h1/config/directions");
        logIn("admin", Files.readString(lab.config.stateDir().resolve("admin-password")).strip());
        await(ExpectedConditions.titleIs("labdrop — hosts"));
        browser.findElement(By.linkText("sut-h1")).click();
        await(ExpectedConditions.titleIs("labdrop — sut-h1"));

        var editor = browser.findElement(By.id("config-content"));
        editor.clear();
        editor.sendKeys("auto_retrieve = false\nmax_load = 4\n");
        browser.findElement(By.id("save-config")).click();
        await(ExpectedConditions.textToBePresentInElementLocated(By.id("config-history"), "+max_load = 4"));
        assertThat(directions).hasContent("auto_retrieve = false\nmax_load = 4\n");
        String history = browser.findElement(By.id("config-history")).getText();
        assertThat(history).contains("by admin").contains("+auto_retrieve = false").contains("+max_load = 4");
        screenshot("host-directions");

        editor = browser.findElement(By.id("config-content"));
        editor.clear();
        editor.sendKeys("bogus = 1\n");
        browser.findElement(By.id("save-config")).click();
        assertThat(await(ExpectedConditions.presenceOfElementLocated(By.id("error"))).getText())
                .contains("was not saved").contains("unknown key 'bogus'");
        assertThat(directions).as("an invalid edit never reaches the drop").hasContent("auto_retrieve = false\nmax_load = 4\n");

        // Another file in config/ (an agent override), created and then edited in the browser.
        browser.findElement(By.id("new-config-name")).sendKeys("agent-overrides");
        browser.findElement(By.id("new-config-content")).sendKeys("log.push-interval = 5s\n");
        browser.findElement(By.id("create-config")).click();
        await(ExpectedConditions.textToBePresentInElementLocated(By.id("config-history"), "+log.push-interval = 5s"));
        assertThat(lab.config.dropDir().resolve("sut-h1/config/agent-overrides")).hasContent("log.push-interval = 5s\n");
        assertThat(browser.findElement(By.id("config-files")).getText()).contains("directions").contains("agent-overrides");
        editor = browser.findElement(By.id("config-content"));
        editor.clear();
        editor.sendKeys("log.push-interval = 2s\n");
        browser.findElement(By.id("save-config")).click();
        await(ExpectedConditions.textToBePresentInElementLocated(By.id("config-history"), "+log.push-interval = 2s"));
        assertThat(browser.findElement(By.id("config-history")).getText()).contains("-log.push-interval = 5s");
        assertThat(lab.config.dropDir().resolve("sut-h1/config/agent-overrides")).hasContent("log.push-interval = 2s\n");
        screenshot("host-config-file");

        browser.findElement(By.id("maint")).click();
        await(ExpectedConditions.textToBe(By.id("h-state"), "Maint"));
    }

    @Test
    void anAdminAddsAHostAUserAKeyAndAPackageInTheBrowser() throws Exception {
        logIn("admin", Files.readString(lab.config.stateDir().resolve("admin-password")).strip());
        await(ExpectedConditions.titleIs("labdrop — hosts"));
        browser.findElement(By.id("admin-link")).click();
        await(ExpectedConditions.titleIs("labdrop — admin"));

        browser.findElement(By.id("host-name")).sendKeys("sut-new");
        browser.findElement(By.id("host-labels")).sendKeys("arm64,rack-3");
        browser.findElement(By.id("host-owner")).sendKeys("olive");
        browser.findElement(By.id("host-active")).click();
        browser.findElement(By.id("create-host")).click();
        await(ExpectedConditions.titleIs("labdrop — sut-new"));
        assertThat(browser.findElement(By.id("h-state")).getText()).isEqualTo("Available");
        assertThat(browser.findElement(By.id("h-owner")).getText()).isEqualTo("olive");
        assertThat(lab.config.dropDir().resolve("sut-new/config/directions")).exists();

        browser.findElement(By.id("owner-only")).click();
        browser.findElement(By.id("save-settings")).click();
        await(ExpectedConditions.textToBe(By.id("h-owner"), "olive (owner-only)"));
        assertThat(lab.s.hosts().show("sut-new").ownerOnly()).isTrue();

        browser.findElement(By.id("key")).sendKeys(ApiContractIT.OLIVE_KEY);
        browser.findElement(By.id("add-key")).click();
        await(ExpectedConditions.textToBePresentInElementLocated(By.id("keys"), "SHA256:6fXUKEBJCTiqRRbaKyDvYH79m33/oXbPt16I63p9wtA"));
        assertThat(lab.s.keys().list("host", "sut-new")).hasSize(1);
        browser.findElement(By.id("key")).sendKeys("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 tiny");
        browser.findElement(By.id("add-key")).click();
        assertThat(await(ExpectedConditions.presenceOfElementLocated(By.id("error"))).getText()).isNotBlank();
        assertThat(lab.s.keys().list("host", "sut-new")).as("a refused key is not stored").hasSize(1);
        screenshot("host-admin");

        browser.get(base + "/admin");
        browser.findElement(By.id("user-name")).sendKeys("olive");
        browser.findElement(By.id("user-password")).sendKeys("olive's long password");
        browser.findElement(By.id("create-user")).click();
        await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-user='olive'] .login")));
        assertThat(browser.findElement(By.cssSelector("tr[data-user='olive'] .login")).getText()).isEqualTo("true");
        assertThat(lab.s.accounts().logIn("olive", "olive's long password".toCharArray())).isPresent();

        Path src = Files.createDirectories(dir.resolve("pkg-src"));
        Files.writeString(src.resolve("control"), "job.run_test('fresh')\n");
        Path pkg = new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 1).build(src,
                new PackageFile(PackageType.TEST, "fresh", PackageFormat.BZ2), dir).file();
        browser.findElement(By.id("upload-file")).sendKeys(pkg.toAbsolutePath().toString());
        browser.findElement(By.id("upload-sha256")).sendKeys("0".repeat(64));
        browser.findElement(By.id("upload-package")).click();
        assertThat(await(ExpectedConditions.presenceOfElementLocated(By.id("error"))).getText()).contains("not the declared");
        assertThat(lab.config.http().repositories().get("custom").resolve("test-fresh.tar.bz2")).doesNotExist();
        browser.findElement(By.id("upload-file")).sendKeys(pkg.toAbsolutePath().toString());
        browser.findElement(By.id("upload-package")).click();
        await(ExpectedConditions.titleIs("labdrop — Package published"));
        assertThat(browser.findElement(By.id("message")).getText()).contains("test-fresh.tar.bz2").contains("custom");
        screenshot("package-published");
        browser.get(base + "/requests/new");
        assertThat(browser.findElement(By.id("test-1")).getText()).contains("fresh");
    }

    @Test
    void anAdminRegistersAWebhookSeesItsDeliveryArriveAndRemovesIt() throws Exception {
        lab.s.hosts().add(new HostDraft("sut-w", "default", "", null, false, true, null), "admin");
        try (Receiver receiver = new Receiver().start()) {
            logIn("admin", Files.readString(lab.config.stateDir().resolve("admin-password")).strip());
            browser.get(base + "/admin");
            browser.findElement(By.id("webhook-url")).sendKeys(receiver.url());
            browser.findElement(By.id("webhook-secret")).sendKeys("too short");
            browser.findElement(By.id("create-webhook")).click();
            assertThat(await(ExpectedConditions.presenceOfElementLocated(By.id("error"))).getText()).contains("16 to 256");
            assertThat(lab.s.notifications().list(0)).as("a refused webhook is not stored").isEmpty();

            browser.get(base + "/admin");
            browser.findElement(By.id("webhook-url")).sendKeys(receiver.url() + "?token=hidden-from-the-page");
            browser.findElement(By.id("webhook-secret")).sendKeys("a webhook secret of the lab");
            browser.findElement(By.id("create-webhook")).click();
            WebElement row = await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-webhook] .url")));
            assertThat(row.getText()).startsWith(receiver.url()).doesNotContain("hidden-from-the-page");

            lab.s.hosts().maint("sut-w");
            await(d -> {
                d.navigate().refresh();
                return d.findElements(By.cssSelector("table.deliveries .status")).stream()
                        .anyMatch(e -> e.getText().equals("DELIVERED") || e.getText().equals("delivered"));
            });
            assertThat(receiver.got).extracting(Receiver.Got::event).containsExactly("host.maint");
            assertThat(browser.findElement(By.cssSelector("tr[data-webhook] .receiver")).getText()).isEqualTo("answering");
            screenshot("webhooks");

            browser.findElement(By.cssSelector(".remove-webhook")).click();
            await(d -> d.findElements(By.cssSelector("tr[data-webhook]")).isEmpty());
            assertThat(lab.s.notifications().list(0)).isEmpty();
        }
    }

    @Test
    void aTesterChoosesWhatMailTheyGetAndABadAddressIsRefused() throws Exception {
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
        logIn("tess", "a long tester password");
        await(ExpectedConditions.titleIs("labdrop — hosts"));
        browser.findElement(By.id("notifications-link")).click();
        await(ExpectedConditions.titleIs("labdrop — mail me"));
        assertThat(browser.findElement(By.id("mail-off")).getText()).contains("mail.host");

        browser.findElement(By.id("email")).sendKeys("tess@example.org, eve@example.org");
        browser.findElement(By.id("save-subscription")).click();
        assertThat(await(ExpectedConditions.presenceOfElementLocated(By.id("error"))).getText()).contains("254");
        assertThat(lab.s.notifications().subscription("tess")).isEmpty();

        WebElement email = browser.findElement(By.id("email"));
        email.clear();
        email.sendKeys("tess@example.org");
        browser.findElement(By.id("own-requests")).click();
        browser.findElement(By.cssSelector("input.regression-type[value='default']")).click();
        browser.findElement(By.id("save-subscription")).click();
        await(ExpectedConditions.textToBePresentInElementLocated(By.id("saved"), "tess@example.org"));
        var saved = lab.s.notifications().subscription("tess").orElseThrow();
        assertThat(saved.ownRequests()).isTrue();
        assertThat(saved.regressionTypes()).containsExactly("default");

        browser.get(base + "/notifications");
        assertThat(browser.findElement(By.id("email")).getAttribute("value")).isEqualTo("tess@example.org");
        assertThat(browser.findElement(By.cssSelector("input.regression-type[value='default']")).isSelected()).isTrue();
        assertThat(browser.findElement(By.id("own-requests")).isSelected()).isTrue();
    }

    @Test
    void theHostOwnerReordersAndCancelsInTheQueueAndOthersSeeNoSuchButtons() throws Exception {
        lab.s.accounts().setAccount("olive", Role.TESTER, "olive's long password".toCharArray());
        lab.s.accounts().setAccount("tess", Role.TESTER, "a long tester password".toCharArray());
        lab.s.hosts().add(new HostDraft("sut-q", "default", "", "olive", false, true, null), "admin");
        for (int i = 0; i < 3; i++) {
            lab.file("sut-q", "tess", Priority.NORMAL);
        }
        logIn("tess", "a long tester password");
        browser.get(base + "/hosts/sut-q");
        assertThat(browser.findElements(By.cssSelector("#queue .move-up"))).as("a tester who does not own the host").isEmpty();
        assertThat(browser.findElements(By.cssSelector("#queue .cancel"))).as("but may cancel their own requests").hasSize(3);
        browser.findElement(By.id("logout")).click();
        await(ExpectedConditions.urlToBe(base + "/login"));

        logIn("olive", "olive's long password");
        browser.get(base + "/hosts/sut-q");
        browser.findElement(By.cssSelector("li[data-request='r-3'] .move-top")).click();
        await(d -> {
            List<WebElement> queue = d.findElements(By.cssSelector("#queue li"));
            return queue.size() > 1 && "r-3".equals(queue.get(1).getAttribute("data-request"));
        });
        assertThat(lab.s.lab().store().read(h -> RequestRows.queued(h, "sut-q")).stream()
                .map(Request::id)).containsExactly("r-3", "r-2");
        browser.findElement(By.cssSelector("li[data-request='r-2'] .cancel")).click();
        await(ExpectedConditions.textToBe(By.id("r-state"), "Cancelled"));
        assertThat(browser.findElement(By.id("r-reason")).getText()).isEqualTo("cancelled by olive");
        screenshot("request-cancelled");
    }

    @Test
    void theDashboardAndARunningRequestUpdateLiveWithoutAReload() throws Exception {
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        lab.addActive("sut-l1");
        lab.addActive("sut-l2");
        logIn("admin", Files.readString(lab.config.stateDir().resolve("admin-password")).strip());
        await(ExpectedConditions.titleIs("labdrop — hosts"));
        browser.executeScript("window.labdropMarker = 'no reload';");
        lab.s.hosts().maint("sut-l2");
        await(ExpectedConditions.textToBe(By.cssSelector("tr[data-host='sut-l2'] .state"), "Maint"));
        assertThat(browser.findElement(By.cssSelector(".count[data-state='Maint'] .n")).getText()).isEqualTo("1");
        String payload = "<img src=x onerror=\"window.labdropMarker='script ran'\">";
        lab.s.hosts().add(new HostDraft("sut-l3", "default", payload, null, false, true, null), "admin");
        await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-host='sut-l3']")));
        assertThat(browser.findElement(By.cssSelector("tr[data-host='sut-l3'] .labels")).getText())
                .as("markup arriving through the live feed is shown as text").isEqualTo(payload);
        assertThat(browser.executeScript("return window.labdropMarker;")).as("updated in place").isEqualTo("no reload");
        screenshot("dashboard-live");

        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        Agent agent = new Agent(AgentConfig.load(null, Map.of(
                "LABDROP_HOST", "sut-l1", "LABDROP_DROP_URL", lab.config.dropDir().resolve("sut-l1").toUri().toString(),
                "LABDROP_WORK_DIR", dir.resolve("agent").toString(),
                "LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/",
                "LABDROP_LOG_PUSH_INTERVAL", "1s",
                "LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString())),
                Clock.systemUTC(), new Random(1));
        var filed = lab.s.desk().file(new RequestSpec("sut-l1", "admin",
                List.of(TestSpec.parse("smoke:sleep 8")), Priority.NORMAL, false, null, null, null, null));
        browser.get(base + "/requests/" + filed.id());
        browser.executeScript("window.labdropMarker = 'no reload';");
        var run = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.poll();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await(ExpectedConditions.textToBePresentInElementLocated(By.id("live-log"), "smoke sleep 8 rebootcount=0"));
        assertThat(run).as("the test still runs while its log is shown").isNotDone();
        assertThat(browser.findElement(By.id("r-state")).getText()).isIn("PickedUp", "Running");
        assertThat(browser.executeScript("return window.labdropMarker;")).isEqualTo("no reload");
        screenshot("request-live-log");
        assertThat(run.get(60, TimeUnit.SECONDS)).isEqualTo(Agent.Outcome.RAN);
        await(ExpectedConditions.textToBe(By.id("r-state"), "Passed"));
        assertThat(browser.findElement(By.id("results")).getText()).contains("smoke");

        browser.get(base + "/hosts/sut-l1");
        String svg = (String) browser.executeAsyncScript("var done = arguments[0];"
                + "fetch('/charts/outcomes.svg?host=sut-l1').then(r => r.text()).then(done);");
        assertThat(svg).startsWith("<svg").contains("class=\"bar\"").contains(": 1 Passed");
        assertThat((Long) browser.executeScript("return document.getElementById('chart-outcomes').naturalWidth;"))
                .as("the chart image loads in the page").isEqualTo(Charts.WIDTH);
        screenshot("host-charts");
    }
}
