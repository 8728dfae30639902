package labdrop.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import labdrop.admin.HostDraft;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.SmokePackage;
import labdrop.app.TestLab;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.store.KeyRows;
import labdrop.transport.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard against a real scrape: a server that placed, ran and ingested requests of
 * two SUTs (one over SFTP, one over rsync, both through the embedded SSH server) exposes every
 * metric the dashboard's queries name, with the JVM, Jetty, HikariCP and lab meters and the
 * histogram buckets the latency panels read.
 */
class DashboardIT {
    static final Path DASHBOARD = Path.of("appliance/grafana/labdrop.json");
    /** PromQL words that are not metric names: functions (followed by '('), keywords, Grafana's variables. */
    static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset");
    @TempDir
    Path dir;
    TestLab lab;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        SmokePackage.publish(lab.config.http().repositories().get("builtin"), "smoke", 0);
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    @Test
    void everyMetricTheDashboardNamesIsInARealScrape() throws Exception {
        runOneRequest("sut-sftp", "sftp");
        runOneRequest("sut-rsync", "rsync+ssh");
        System.gc(); // the GC pause timers appear with the first collection
        String token = lab.s.doorbell().issueToken("sut-sftp");
        http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/hosts/sut-sftp/generation"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding());

        // Both requests' final events are counted when the notifier fans them out (its tick is a second).
        await().atMost(Duration.ofSeconds(20))
                .until(() -> scrape().contains("labdrop_requests_finished_total{outcome=\"Failed\"} 2.0"));
        String scrape = scrape();
        Set<String> exposed = new TreeSet<>();
        scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exposed.add(l.split("[{ ]", 2)[0]));

        List<String> queries = queries(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(queries).as("the dashboard's queries").hasSizeGreaterThan(20);
        Set<String> named = new TreeSet<>();
        queries.forEach(q -> named.addAll(metricNames(q)));
        assertThat(named).as("metrics named by the dashboard")
                .contains("labdrop_hosts", "labdrop_queue_length", "labdrop_requests_finished_total",
                        "labdrop_placement_seconds_bucket", "labdrop_polls_total", "labdrop_ssh_payload_bytes_total",
                        "jvm_memory_used_bytes", "jetty_server_requests_seconds_count", "hikaricp_connections_active");
        assertThat(exposed).as("every metric the dashboard names is in the scrape").containsAll(named);

        // What the panels show is there with the labels they group by.
        assertThat(scrape)
                .containsPattern("labdrop_hosts\\{state=\"Available\",type=\"default\"} 2\\.0")
                .containsPattern("labdrop_requests_finished_total\\{outcome=\"Failed\"} 2\\.0")
                .containsPattern("labdrop_placement_seconds_bucket\\{le=\"1\\.0\"} 2")
                .containsPattern("labdrop_result_ingest_seconds_count [1-9]")
                .containsPattern("labdrop_ssh_payload_bytes_total\\{direction=\"in\",transport=\"rsync\"} [1-9]")
                .containsPattern("labdrop_ssh_payload_bytes_total\\{direction=\"in\",transport=\"sftp\"} [1-9]")
                .containsPattern("labdrop_ssh_sessions_total\\{transport=\"sftp\"} [1-9]")
                .containsPattern("jetty_server_requests_seconds_count\\{[^}]*outcome=\"SUCCESS\"[^}]*} [1-9]")
                .containsPattern("hikaricp_connections_max\\{pool=\"labdrop-store\"} ")
                .containsPattern("jvm_gc_pause_seconds_count\\{");
    }

    @Test
    void theMetricNameReaderSkipsFunctionsLabelsRangesAndKeywords() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{instance=~\"$instance\","
                + "le=\"1.0\"}[$__rate_interval]))) / sum(b_total) and on (x) c"))
                .containsExactlyInAnyOrder("a_seconds_bucket", "b_total", "c");
    }

    /** Every PromQL expression of every panel, rows' panels included. */
    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        dashboard.findValues("targets").forEach(targets -> targets.forEach(t -> {
            if (t.hasNonNull("expr")) {
                out.add(t.get("expr").asText());
            }
        }));
        dashboard.path("templating").path("list").forEach(v -> {
            String q = v.path("query").path("query").asText("");
            Matcher m = Pattern.compile("label_values\\((\\w+)").matcher(q);
            if (m.find()) {
                out.add(m.group(1));
            }
        });
        return out;
    }

    /** The metric names of a PromQL expression: its identifiers outside selectors, ranges, groupings and calls. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\s*(\\(?)").matcher(bare);
        while (m.find()) {
            if (m.group(2).isEmpty() && !KEYWORDS.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    String base() {
        return "http://127.0.0.1:" + lab.app.httpPort();
    }

    String scrape() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** A host with its own key runs one failing request through the embedded SSH server over {@code scheme}. */
    void runOneRequest(String host, String scheme) throws Exception {
        lab.s.hosts().add(new HostDraft(host, "default", "", "olivia", false, true, null), "admin");
        Path key = dir.resolve(host + "-key");
        OpenSshServer.run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
        lab.s.keys().add(KeyRows.HOST, host, Files.readString(key.resolveSibling(host + "-key.pub")), "key", "admin");
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + lab.app.sshPort() + " "
                + Files.readString(lab.config.ssh().hostKey().resolveSibling("ssh_host_ed25519_key.pub")));
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_HOST", host);
        env.put("LABDROP_DROP_URL", scheme + "://" + host + "@127.0.0.1:" + lab.app.sshPort() + "/");
        env.put("LABDROP_SSH_IDENTITY", key.toString());
        env.put("LABDROP_SSH_KNOWN_HOSTS", knownHosts.toString());
        env.put("LABDROP_WORK_DIR", dir.resolve("agent-" + host).toString());
        env.put("LABDROP_FETCH_LOCATIONS", base() + "/packages/builtin/");
        env.put("LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString());
        env.put("LABDROP_TRANSPORT_BACKOFF", "10ms");
        Agent agent = new Agent(AgentConfig.load(null, env), Clock.systemUTC(), new Random(1));
        agent.poll();
        Request r = lab.s.desk().file(new RequestSpec(host, "olivia", List.of(TestSpec.parse("smoke:fail")),
                Priority.NORMAL, false, null, null, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(lab.config.dropDir()
                .resolve(host + "/current/" + r.id() + ".xml")));
        assertThat(agent.poll()).isEqualTo(Agent.Outcome.RAN);
        await().atMost(Duration.ofSeconds(30)).until(() -> !lab.s.desk().find(r.id()).state().isActive());
    }
}
