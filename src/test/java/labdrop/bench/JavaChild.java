package labdrop.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts {@code labdrop} as a child process (a JVM on a class path, or the launcher) with its own environment and log, for the benchmarks. */
final class JavaChild {
    private JavaChild() {
    }

    static Process start(String classpath, List<String> jvmOptions, Map<String, String> env, Path log, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, "labdrop.cli.Main"));
        command.addAll(List.of(args));
        return start(command, env, log);
    }

    /** Runs the launcher ({@code appliance/labdrop}) as the package runs it, with its own environment and log. */
    static Process launcher(Map<String, String> env, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of("appliance/labdrop").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return start(command, env, log);
    }

    /** The child sees no LABDROP_ variable of the harness, only {@code env}. */
    private static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("LABDROP_"));
        builder.environment().putAll(env);
        return builder.start();
    }
}
