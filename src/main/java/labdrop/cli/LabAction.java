package labdrop.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import labdrop.error.BadInputException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A command that works the same on the server host (over the store named by server.conf) and
 * from anywhere with {@code --server URL} (over the API): written once against {@link LabClient}.
 */
abstract class LabAction implements Callable<Integer> {
    @Mixin
    ConfOption conf;
    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:LABDROP_SERVER}",
            description = "Work against a remote server's API instead of opening the store (default: $LABDROP_SERVER).")
    String server;
    @Option(names = "--token-file", paramLabel = "FILE",
            description = "With --server: the file holding your API token (default: $LABDROP_TOKEN).")
    Path tokenFile;
    @Option(names = "--as", paramLabel = "USER",
            description = "On the store: who acts (recorded in the history; default: your login name)."
                    + " With --server the token's user acts.")
    String as;

    @Override
    public Integer call() throws Exception {
        if (server != null && !server.isBlank()) {
            if (as != null) {
                throw new BadInputException("--as cannot be used with --server: the token's user acts");
            }
            try (LabClient lab = new Remote(server, tokenFile)) {
                return run(lab);
            }
        }
        try (LabClient lab = new LocalLab(conf.open(), as != null ? as : System.getProperty("user.name"))) {
            return run(lab);
        }
    }

    abstract int run(LabClient lab) throws Exception;
}
