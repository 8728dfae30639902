package labdrop.request;

import java.util.Arrays;
import java.util.List;
import labdrop.drop.Names;

/** One test to run: the test package, an optional control file, its arguments and timeout. */
public record TestSpec(String packageName, String control, List<String> args, Integer timeoutSeconds) {

    public TestSpec {
        Names.require("test package name", packageName);
        args = List.copyOf(args);
    }

    /** Parses the CLI form {@code NAME[:ARGS]}: {@code dbench:-t 60} runs test-dbench with args -t, 60. */
    public static TestSpec parse(String text) {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        List<String> args = colon < 0 || text.substring(colon + 1).isBlank() ? List.of()
                : Arrays.asList(text.substring(colon + 1).trim().split("\\s+"));
        return new TestSpec(name, null, args, null);
    }
}
