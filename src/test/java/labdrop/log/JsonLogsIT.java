package labdrop.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import labdrop.agent.SmokePackage;
import labdrop.cli.ChildCli;
import labdrop.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code log.format = json} as an operator turns it on: a real {@code labdrop server} and a real
 * {@code labdrop agent --once}, each in its own JVM, write one JSON object per line on stderr, and
 * the lines about a request carry its id and host in {@code mdc}.
 */
class JsonLogsIT {
    @TempDir
    Path dir;
    Process server;
    final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static ProcessBuilder labdrop(Map<String, String> env, Path stderr, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "labdrop.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile())
                .redirectOutput(stderr.resolveSibling(stderr.getFileName() + ".out").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        builder.environment().putAll(env);
        return builder;
    }

    /** Every line of {@code file}, each parsed as JSON (a line that is not JSON fails the test). */
    List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(json.readTree(line));
            }
        }
        return out;
    }


    @Test
    void theServerAndTheAgentWriteJsonLinesThatCarryTheRequestAndHost() throws Exception {
        Path state = dir.resolve("state");
        SmokePackage.publish(Files.createDirectories(state.resolve("packages/builtin")), "smoke", 0);
        int port = Ports.free();
        Path serverErr = dir.resolve("server.err");
        server = labdrop(Map.of("LABDROP_STATE_DIR", state.toString(), "LABDROP_HTTP_HOST", "127.0.0.1",
                "LABDROP_HTTP_PORT", Integer.toString(port), "LABDROP_SSH_ENABLED", "false",
                "LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString(), "LABDROP_PLACER_INTERVAL", "200ms",
                "LABDROP_LOG_FORMAT", "json"), serverErr, "server").start();
        server.getOutputStream().close();
        Path serverOut = dir.resolve("server.err.out");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(serverOut)
                && Files.readString(serverOut).contains("labdrop server running"));

        assertThat(ChildCli.run(state, "host", "add", "sut-j1", "--active").code()).isZero();
        ChildCli.Result token = ChildCli.run(state, "user", "token", "admin");
        Path tokenFile = Files.writeString(dir.resolve("token"), token.out().strip());
        // Filed through the server's API, so the server itself places it (and logs that).
        ChildCli.Result filed = ChildCli.run(state, "request", "file", "--server", "http://127.0.0.1:" + port,
                "--token-file", tokenFile.toString(), "--host", "sut-j1", "--test", "smoke:pass");
        assertThat(filed.code()).as(filed.err()).isZero();
        String id = filed.out().strip().split("\\s+")[0];
        Path current = state.resolve("drop/sut-j1/current/" + id + ".xml");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(current));

        Path agentErr = dir.resolve("agent.err");
        Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        Process agent = labdrop(Map.of("LABDROP_HOST", "sut-j1",
                "LABDROP_DROP_URL", state.resolve("drop/sut-j1").toUri().toString(),
                "LABDROP_WORK_DIR", dir.resolve("agent").toString(),
                "LABDROP_FETCH_LOCATIONS", "http://127.0.0.1:" + port + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE", dir.resolve("boot_id").toString(),
                "LABDROP_LOG_FORMAT", "json"), agentErr, "agent", "--once").start();
        agent.getOutputStream().close();
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).as(Files.readString(agentErr)).isZero();

        List<JsonNode> agentLines = jsonLines(agentErr);
        JsonNode pickedUp = agentLines.stream().filter(l -> l.path("formattedMessage").asText().startsWith("picked up " + id))
                .findFirst().orElseThrow(() -> new AssertionError("no 'picked up' line in " + agentLines));
        assertThat(pickedUp.path("mdc").path("request").asText()).isEqualTo(id);
        assertThat(pickedUp.path("mdc").path("host").asText()).isEqualTo("sut-j1");
        assertThat(pickedUp.path("level").asText()).isEqualTo("INFO");
        assertThat(pickedUp.path("loggerName").asText()).startsWith("labdrop.agent.");
        assertThat(pickedUp.path("timestamp").asLong()).isPositive();

        List<JsonNode> serverLines = jsonLines(serverErr);
        assertThat(serverLines).as("every server line is a whole log event").isNotEmpty()
                .allMatch(l -> l.hasNonNull("level") && l.hasNonNull("loggerName") && l.hasNonNull("formattedMessage"));
        JsonNode placed = serverLines.stream().filter(l -> l.path("formattedMessage").asText().startsWith("placed " + id))
                .findFirst().orElseThrow(() -> new AssertionError("no 'placed' line in " + serverLines));
        assertThat(placed.path("mdc").path("request").asText()).isEqualTo(id);
        assertThat(placed.path("mdc").path("host").asText()).isEqualTo("sut-j1");
    }
}
