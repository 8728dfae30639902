package labdrop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import labdrop.app.TestLab;
import labdrop.store.KeyRows;
import labdrop.user.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin commands that work on the store only print with {@code --json} what the API gives for
 * the same thing (users, a host's keys, a config file with its history), and labs and a
 * repository's index as documented in docs/cli.md; run as an admin runs them, beside the server.
 */
class AdminJsonIT {
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILLgOll+m558STXsR1LtiN8abOPfni5oQFCAiw4BmE92 olive@laptop";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    TestLab lab;
    String token;

    @BeforeEach
    void start() throws Exception {
        lab = new TestLab(dir.resolve("server"), null, Map.of());
        lab.addActive("sut-j1");
        lab.s.accounts().setAccount("tess", Role.TESTER, "tess-password-1".toCharArray());
        lab.s.keys().add(KeyRows.HOST, "sut-j1", KEY, "olive.pub", "admin");
        lab.s.hosts().writeConfig("sut-j1", "directions", "max_load = 4\n", "admin");
        lab.s.keys().addLab("lab-east", List.of("sut-j1"));
        lab.s.keys().add(KeyRows.LAB, "lab-east", KEY, "gateway.pub", "admin");
        token = lab.s.accounts().newToken("admin", "json");
    }

    @AfterEach
    void stop() {
        lab.close();
    }

    JsonNode api(String path) throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.app.httpPort() + "/api/v1" + path))
                .header("Authorization", "Bearer " + token).build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    JsonNode cli(String... args) throws Exception {
        ChildCli.Result r = ChildCli.run(dir.resolve("server"), args);
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    @Test
    void storeOnlyListAndShowCommandsPrintWhatTheApiGives() throws Exception {
        JsonNode users = cli("user", "list", "--json");
        assertThat(users).isEqualTo(api("/users"));
        assertThat(users.findValuesAsText("name")).contains("admin", "tess");

        JsonNode keys = cli("host", "key", "list", "sut-j1", "--json");
        assertThat(keys).isEqualTo(api("/hosts/sut-j1/keys"));
        assertThat(keys.get(0).get("fingerprint").asText()).startsWith("SHA256:");

        JsonNode config = cli("host", "config", "show", "sut-j1", "directions", "--json");
        assertThat(config).isEqualTo(api("/hosts/sut-j1/config/directions"));
        assertThat(config.get("content").asText()).isEqualTo("max_load = 4\n");
        assertThat(config.get("history").size()).as("the added host's first version and the admin's").isEqualTo(2);
        assertThat(cli("host", "config", "history", "sut-j1", "directions", "--json")).isEqualTo(config);
        ChildCli.Result missing = ChildCli.run(dir.resolve("server"), "host", "config", "history", "sut-j1", "nope", "--json");
        assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err()).contains("has no config/nope");

        JsonNode labs = cli("lab", "list", "--json");
        assertThat(labs.size()).isEqualTo(1);
        assertThat(labs.get(0).get("name").asText()).isEqualTo("lab-east");
        assertThat(labs.get(0).get("hosts").get(0).asText()).isEqualTo("sut-j1");
        JsonNode east = cli("lab", "show", "lab-east", "--json");
        assertThat(east.get("keys").get(0).get("fingerprint")).isEqualTo(keys.get(0).get("fingerprint"));
        assertThat(cli("lab", "key", "list", "lab-east", "--json")).isEqualTo(east.get("keys"));

        Path builtin = lab.config.http().repositories().get("builtin");
        JsonNode packages = cli("pkg", "list", builtin.toString(), "--json");
        JsonNode dbench = null;
        for (JsonNode p : packages) {
            if (p.get("name").asText().equals("test-dbench.tar.bz2")) {
                dbench = p;
            }
        }
        assertThat(dbench).as(packages.toString()).isNotNull();
        assertThat(dbench.get("size").asLong()).isEqualTo(Files.size(builtin.resolve("test-dbench.tar.bz2")));
        assertThat(dbench.get("md5").asText()).hasSize(32);
    }
}
