package labdrop.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import labdrop.app.Services;
import labdrop.config.ServerConfig;
import labdrop.error.BadInputException;
import labdrop.web.LocalAccess;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A command that works the same on the server host and from anywhere with {@code --server URL}
 * (over the API with a user's token): written once against {@link LabClient}. On the server host
 * it asks the server that runs there (through {@link LocalAccess}, in a fraction of the time that
 * opening the store takes, and so the server sees each change at once), or opens the store named
 * by server.conf when no server runs; either way the caller acts as the admin {@code --as}.
 */
abstract class LabAction implements Callable<Integer> {
    @Mixin
    ConfOption conf;
    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:LABDROP_SERVER}",
            description = "Work against a remote server's API with a user's token (default: $LABDROP_SERVER). Without it, on the"
                    + " server host: the server running there, or the store when none runs.")
    String server;
    @Option(names = "--token-file", paramLabel = "FILE",
            description = "With --server: the file holding your API token (default: $LABDROP_TOKEN).")
    Path tokenFile;
    @Option(names = "--as", paramLabel = "USER",
            description = "On the server host: who acts, as an admin (recorded in the history; default: your login name)."
                    + " With --server the token's user acts.")
    String as;

    @Override
    public Integer call() throws Exception {
        if (server != null && !server.isBlank()) {
            if (as != null) {
                throw new BadInputException("--as cannot be used with --server: the token's user acts");
            }
            try (LabClient lab = Remote.withToken(server, tokenFile)) {
                return run(lab);
            }
        }
        String actor = as != null ? as : System.getProperty("user.name");
        ServerConfig config = conf.load();
        Optional<LocalAccess.Endpoint> running = LocalAccess.running(config.stateDir());
        if (running.isPresent()) {
            try (LabClient lab = Remote.running(running.get(), actor)) {
                return run(lab);
            }
        }
        try (LabClient lab = new LocalLab(Services.openForCommand(config, Clock.systemUTC()), actor)) {
            return run(lab);
        }
    }

    abstract int run(LabClient lab) throws Exception;
}
