package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import labdrop.admin.HostDraft;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host list a page at a time, over real HTTP: the API's pages give every host exactly once
 * while hosts are added and retired, and the dashboard's live feed, asked from the last tick a
 * browser applied, brings a page that missed updates back to the whole page's state.
 */
class HostPagingIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    TestLab lab;
    String base;
    String token;
    HttpClient browser;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("state"), null, Map.of());
        base = "http://127.0.0.1:" + lab.app.httpPort();
        token = lab.s.accounts().newToken("admin", "paging");
        browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    JsonNode api(String path) throws Exception {
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/v1" + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    HttpResponse<String> page(String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode live(String query) throws Exception {
        HttpResponse<String> r = page("/live/hosts.json" + query);
        assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    void logIn() throws Exception {
        String form = page("/login").body();
        String csrf = form.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        String password = Files.readString(lab.config.stateDir().resolve("admin-password")).strip();
        String body = "csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) + "&user=admin&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", base).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(page("/").statusCode()).isEqualTo(200);
    }

    static String name(int i) {
        return String.format("sut-%04d", i);
    }

    @Test
    void theApisPagesGiveEveryHostExactlyOnceWhileHostsAreAddedAndRetired() throws Exception {
        for (int i = 0; i < 250; i += 2) {
            lab.s.hosts().add(new HostDraft(name(i), "default", "", null, false, true, null), "admin");
        }
        // while the pages are read, odd-numbered hosts are added and every tenth even one retired
        CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
            for (int i = 1; i < 250; i += 2) {
                lab.s.hosts().add(new HostDraft(name(i), "default", "", null, false, true, null), "admin");
                if (i % 20 == 1) {
                    lab.s.hosts().retire(name(i - 1), "admin");
                }
            }
        });
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            JsonNode page = api("/hosts?limit=7" + (after == null ? "" : "&after=" + after));
            page.forEach(h -> seen.add(h.get("name").asText()));
            pages++;
            if (page.size() < 7) {
                break;
            }
            after = page.get(page.size() - 1).get("name").asText();
        }
        churn.join();

        assertThat(seen).as("no host twice, in name order").doesNotHaveDuplicates().isSorted();
        for (int i = 0; i < 250; i += 2) {
            assertThat(seen).as("a host that was there throughout (retired ones are still hosts)").contains(name(i));
        }
        assertThat(pages).isGreaterThan(250 / 2 / 7);
        assertThat(api("/hosts").size()).as("one default page holds them all").isEqualTo(250);
        assertThat(browser.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/hosts?limit=1001"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()))
                .satisfies(r -> {
                    assertThat(r.statusCode()).isEqualTo(400);
                    assertThat(r.body()).contains("limit").contains("1..1000");
                });
    }

    @Test
    void theLiveFeedAskedFromTheLastTickAppliedConvergesToTheWholePageAfterMissedUpdates() throws Exception {
        for (int i = 0; i < 30; i++) {
            lab.addTyped(name(i), i < 20 ? "x86" : "arm", i % 3 == 0 ? "gpu" : "", null, false);
        }
        logIn();
        String query = "?type=x86&size=10&page=2";
        JsonNode first = live(query);
        assertThat(first.get("names")).extracting(JsonNode::asText).containsExactly(
                "sut-0010", "sut-0011", "sut-0012", "sut-0013", "sut-0014", "sut-0015", "sut-0016", "sut-0017", "sut-0018", "sut-0019");
        assertThat(first.get("hosts")).hasSize(10);
        assertThat(first.get("total").asInt()).isEqualTo(20);
        assertThat(first.get("pages").asInt()).isEqualTo(2);
        Map<String, JsonNode> shown = new TreeMap<>();
        first.get("hosts").forEach(h -> shown.put(h.get("name").asText(), h));
        long tick = first.get("tick").asLong();

        JsonNode quiet = live(query + "&since=" + tick);
        assertThat(quiet.get("hosts")).as("nothing changed: nothing sent").isEmpty();

        // changes the browser does not hear of (its refreshes failed): on the page, off it, of another type
        lab.s.hosts().maint("sut-0012");
        lab.s.hosts().set("sut-0015", "owner", "olive");
        lab.file("sut-0017", "bob", Priority.NORMAL); // placed at once: the host goes Pending
        lab.file("sut-0017", "bob", Priority.NORMAL); // waits in its queue
        lab.s.hosts().maint("sut-0003");
        lab.s.hosts().maint("sut-0025");
        live(query + "&since=" + tick); // answered, but lost on the way
        lab.s.hosts().maint("sut-0019");

        JsonNode delta = live(query + "&since=" + tick);
        List<String> sent = new ArrayList<>();
        delta.get("hosts").forEach(h -> {
            sent.add(h.get("name").asText());
            shown.put(h.get("name").asText(), h);
        });
        assertThat(sent).as("only this page's hosts that changed").containsExactlyInAnyOrder(
                "sut-0012", "sut-0015", "sut-0017", "sut-0019");
        Map<String, JsonNode> whole = new TreeMap<>();
        live(query).get("hosts").forEach(h -> whole.put(h.get("name").asText(), h));
        Map<String, String> applied = new HashMap<>();
        Map<String, String> fresh = new HashMap<>();
        shown.forEach((n, h) -> applied.put(n, withoutPolls(h)));
        whole.forEach((n, h) -> fresh.put(n, withoutPolls(h)));
        assertThat(applied).as("the page as the browser has it now = the page as a fresh load shows it").isEqualTo(fresh);
        assertThat(delta.get("queued").get("sut-0017").asInt()).isEqualTo(1);
        assertThat(delta.get("counts").get("Maint").asInt()).isEqualTo(4);
        assertThat(live(query + "&since=" + delta.get("tick").asLong()).get("hosts")).isEmpty();
        assertThat(page("/live/hosts.json?since=-4").statusCode()).isEqualTo(400);
        assertThat(page("/live/hosts.json?group=owner").body()).contains("group 'owner' is not one of type, state, labels");

        JsonNode gpu = live("?label=gpu&group=labels");
        assertThat(gpu.get("total").asInt()).isEqualTo(10);
        gpu.get("hosts").forEach(h -> assertThat(h.get("labels")).extracting(JsonNode::asText).containsExactly("gpu"));
    }

    /** A host as the feed shows it, without its poll counter (which a later read may have moved). */
    static String withoutPolls(JsonNode h) {
        Map<String, Object> m = JSON.convertValue(h, Map.class);
        m.remove("polls");
        return m.toString();
    }
}
