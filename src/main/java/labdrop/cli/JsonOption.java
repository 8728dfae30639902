package labdrop.cli;

import java.io.IOException;
import picocli.CommandLine.Option;

/** {@code --json} of the list and show commands: the API's answer itself, for scripts and CI. */
final class JsonOption {
    @Option(names = "--json", description = "Print what the API answers (docs/api.md) as JSON instead of text.")
    boolean json;

    /** Prints {@code answer} (the API's JSON, or the same maps the API serializes) when --json was given; true when it did (the command then prints nothing else). */
    boolean print(Object answer) throws IOException {
        if (!json) {
            return false;
        }
        // Remote's mapper, made when a command first needs it (not when picocli makes this option)
        System.out.println(Remote.json().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        return true;
    }
}
