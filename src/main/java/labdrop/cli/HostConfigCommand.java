package labdrop.cli;

import java.nio.file.Path;
import labdrop.app.Services;
import labdrop.error.NotFoundException;
import labdrop.store.ConfigRows;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Read, set and review the admin-owned files in a host's config/ folder.",
        subcommands = {HostConfigCommand.Show.class, HostConfigCommand.Set.class, HostConfigCommand.History.class})
final class HostConfigCommand {

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the current content of a config file.")
    static final class Show extends HostCommand.HostAction {
        @Parameters(index = "0", paramLabel = "HOST") String host;
        @Parameters(index = "1", paramLabel = "FILE", defaultValue = "directions") String file;

        @Override
        int run(Services services) {
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

        @Override
        int run(Services services) {
            for (ConfigRows.Version v : services.hosts().configHistory(host, file)) {
                System.out.println("--- " + v.at() + " by " + v.author() + (v.content() == null ? " (deleted)"
                        : v.valid() ? "" : " INVALID: " + v.problems()));
                System.out.print(v.content() == null ? "" : v.content().endsWith("\n") ? v.content() : v.content() + "\n");
            }
            return 0;
        }
    }
}
