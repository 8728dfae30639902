package labdrop.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The labdrop CLI as an admin runs it beside a running server: its own JVM on the test's class
 * path, pointed at the server's state folder (H2's AUTO_SERVER lets both use the store).
 */
public final class ChildCli {
    public record Result(int code, String out, String err) {
    }

    private ChildCli() {
    }

    public static Result run(Path stateDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "labdrop.cli.Main"));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("labdrop-cli", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
            builder.environment().put("LABDROP_STATE_DIR", stateDir.toString());
            Process cli = builder.start();
            cli.getOutputStream().close();
            String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!cli.waitFor(60, TimeUnit.SECONDS)) {
                cli.destroyForcibly();
                throw new AssertionError("labdrop " + String.join(" ", args) + " hung");
            }
            return new Result(cli.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
