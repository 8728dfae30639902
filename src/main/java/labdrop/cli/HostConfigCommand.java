package labdrop.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import labdrop.app.Services;
import labdrop.error.NotFoundException;
import labdrop.store.ConfigRows;
import labdrop.web.ApiViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Read, set and review the admin-owned files in a host's config/ folder.")
final class HostConfigCommand {
    /** Every version of a config file, oldest first; none is "not found", as the API says. */
    static List<ConfigRows.Version> history(Services services, String host, String file) {
        List<ConfigRows.Version> history = services.hosts().configHistory(host, file);
        if (history.isEmpty()) {
            throw new NotFoundException("host '" + host + "' has no config/" + file);
        }
        return history;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the current content of a config file.")
    static final class Show extends HostCommand.HostAction {
        @Parameters(index = "0", paramLabel = "HOST") String host;
        @Parameters(index = "1", paramLabel = "FILE", defaultValue = "directions") String file;
        @Mixin JsonOption json;

        @Override
        int run(Services services) throws IOException {
            if (json.print(ApiViews.configFile(history(services, host, file)))) {
                return 0;
            }
            ConfigRows.Version v = services.hosts().configFiles(host).stream().filter(x -> x.file().equals(file))
                    .findFirst().orElseThrow(() -> new NotFoundException(
                            "host '" + host + "' has no config/" + file));
            if (!v.valid()) {
                System.err.println("config/" + file + " is INVALID: " + v.problems());
            }
            System.out.print(v.content() == null ? "" : v.content());
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Validate a file and write it atomically as the host's config/FILE, recorded with its author.")
    static final class Set extends HostCommand.HostAction {
        @Parameters(index = "0", paramLabel = "HOST") String host;
        @Parameters(index = "1", paramLabel = "FILE") String file;
        @Option(names = "--from", paramLabel = "PATH", required = true, description = "Local file with the new content.")
        Path from;
        @Option(names = "--as", paramLabel = "USER", defaultValue = "${sys:user.name}") String author;

        @Override
        int run(Services services) throws Exception {
            services.hosts().writeConfig(host, file, HostCommand.readFile(from), author);
            System.out.println("wrote " + host + "/config/" + file);
            return 0;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Every recorded version of a config file.")
    static final class History extends HostCommand.HostAction {
        @Parameters(index = "0", paramLabel = "HOST") String host;
        @Parameters(index = "1", paramLabel = "FILE", defaultValue = "directions") String file;
        @Mixin JsonOption json;

        @Override
        int run(Services services) throws IOException {
            if (json.print(ApiViews.configFile(history(services, host, file)))) {
                return 0;
            }
            for (ConfigRows.Version v : services.hosts().configHistory(host, file)) {
                System.out.println("--- " + v.at() + " by " + v.author() + (v.content() == null ? " (deleted)"
                        : v.valid() ? "" : " INVALID: " + v.problems()));
                System.out.print(v.content() == null ? "" : v.content().endsWith("\n") ? v.content() : v.content() + "\n");
            }
            return 0;
        }
    }
}
