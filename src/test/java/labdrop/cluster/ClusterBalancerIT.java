package labdrop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import labdrop.testing.Ports;
import labdrop.web.TestChromium;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Two cluster nodes behind Debian's HAProxy, run with conf/haproxy.cfg as shipped (loopback
 * addresses and free ports put in): a tester logged in through the balancer on one node stays
 * logged in when that node is SIGKILLed and the balancer sends the browser to the other, and a SUT
 * sees one SSH host key whichever node answers.
 */
class ClusterBalancerIT {
    @TempDir
    Path dir;
    private TestCluster cluster;
    private TestHaproxy haproxy;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(dir);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (haproxy != null) {
            haproxy.close();
        }
        cluster.close();
    }

    @Test
    void aTesterStaysLoggedInAndASutSeesOneHostKeyWhenTheBalancerMovesThemToAnotherNode() throws Exception {
        int webA = Ports.free();
        int sshA = Ports.free();
        int webB = Ports.free();
        int sshB = Ports.free();
        int web = Ports.free();
        int ssh = Ports.free();
        haproxy = TestHaproxy.start(dir, web, ssh, Map.of("node-a", new int[] {webA, sshA}, "node-b", new int[] {webB, sshB}));
        String lb = "http://127.0.0.1:" + web;

        cluster.start("node-a", Map.of("LABDROP_HTTP_PORT", Integer.toString(webA), "LABDROP_SSH_PORT", Integer.toString(sshA)));
        cluster.awaitRunning("node-a");
        await("the balancer sends to node-a").atMost(Duration.ofSeconds(20)).until(() -> TestCluster.answers(lb + "/healthz"));
        await("the balancer's ssh port answers").atMost(Duration.ofSeconds(20)).until(() -> !keyscan(ssh).isEmpty());
        String keyBefore = keyscan(ssh);
        assertThat(keyBefore).as("node-a's own key, through the balancer").isNotEmpty()
                .isEqualTo(key(Files.readString(dir.resolve("node-a/ssh_host_ed25519_key.pub"))));

        browser = TestChromium.start(dir.resolve("chromium-profile"));
        browser.get(lb + "/");
        wait(ExpectedConditions.titleIs("labdrop — log in"));
        browser.findElement(By.id("user")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(Files.readString(dir.resolve("node-a/admin-password")).strip());
        browser.findElement(By.id("login")).click();
        wait(ExpectedConditions.presenceOfElementLocated(By.id("logout")));

        cluster.start("node-b", Map.of("LABDROP_HTTP_PORT", Integer.toString(webB), "LABDROP_SSH_PORT", Integer.toString(sshB)));
        cluster.awaitRunning("node-b");
        await("both nodes alive").atMost(Duration.ofSeconds(20))
                .until(() -> cluster.states("node-b").equals(Map.of("node-a", "alive", "node-b", "alive")));

        cluster.kill("node-a");
        await("the balancer sends to node-b").atMost(Duration.ofSeconds(30)).until(() -> TestCluster.answers(lb + "/healthz"));
        await("the balancer's ssh port answers from node-b").atMost(Duration.ofSeconds(20)).until(() -> !keyscan(ssh).isEmpty());
        assertThat(keyscan(ssh)).as("the same host key from node-b").isEqualTo(keyBefore);
        assertThat(dir.resolve("node-b/ssh_host_ed25519_key.before-cluster"))
                .as("node-b's own key, kept aside for the cluster's").exists();

        browser.get(lb + "/");
        wait(ExpectedConditions.or(ExpectedConditions.presenceOfElementLocated(By.id("logout")),
                ExpectedConditions.titleIs("labdrop — log in")));
        assertThat(browser.getTitle()).as("still logged in after the move to node-b").isNotEqualTo("labdrop — log in");
        assertThat(browser.findElements(By.id("logout"))).isNotEmpty();

        await("node-a shown dead").atMost(Duration.ofSeconds(20))
                .until(() -> "dead".equals(cluster.states("node-b").get("node-a")));
        browser.get(lb + "/admin");
        wait(ExpectedConditions.presenceOfElementLocated(By.id("cluster-nodes")));
        assertThat(browser.findElement(By.id("this-node")).getText()).isEqualTo("node-b");
        assertThat(browser.findElement(By.cssSelector("tr[data-node='node-a'] .state")).getText())
                .as("the admin page shows the killed node dead").isEqualTo("dead");
        assertThat(browser.findElement(By.cssSelector("tr[data-node='node-b'] .state")).getText()).isEqualTo("alive");

        browser.findElement(By.id("logout")).click();
        wait(ExpectedConditions.titleIs("labdrop — log in"));
        browser.get(lb + "/");
        wait(ExpectedConditions.titleIs("labdrop — log in"));
    }

    /** The ed25519 host key an SSH client is shown through the balancer (OpenSSH's ssh-keyscan); empty when none answered. */
    private static String keyscan(int port) throws Exception {
        Process scan = new ProcessBuilder("ssh-keyscan", "-T", "5", "-t", "ed25519", "-p", Integer.toString(port), "127.0.0.1")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(scan.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(scan.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return key(out);
    }

    /** The base64 key of the first "ssh-ed25519 KEY" found in {@code text}; empty when there is none. */
    private static String key(String text) {
        String[] words = text.strip().split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("ssh-ed25519")) {
                return words[i + 1];
            }
        }
        return "";
    }

    private <T> T wait(ExpectedCondition<T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(condition);
    }
}
