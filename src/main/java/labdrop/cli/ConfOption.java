package labdrop.cli;

import java.nio.file.Path;
import java.time.Clock;
import labdrop.app.Services;
import labdrop.config.ServerConfig;
import picocli.CommandLine.Option;

/** {@code --conf FILE}, shared by every command that reads server.conf. */
final class ConfOption {
    @Option(names = "--conf", paramLabel = "FILE", defaultValue = "${env:LABDROP_CONF}",
            description = "server.conf to read (default: $LABDROP_CONF, else built-in defaults).")
    Path conf;

    ServerConfig load() {
        return ServerConfig.load(conf, System.getenv());
    }

    Services open() {
        return Services.openForCommand(load(), Clock.systemUTC());
    }
}
