package labdrop.agent;

import java.nio.file.Path;

/** Opens the transport that {@code drop.url} names. */
final class Transports {
    private Transports() {
    }

    static DropTransport open(AgentConfig config) {
        return switch (config.drop().getScheme()) {
            case "file" -> new FileTransport(Path.of(config.drop()));
            case "sftp" -> new SftpTransport(config.drop(), config.ssh());
            case "rsync+ssh" -> new RsyncTransport(config.drop(), config.ssh(), config.workDir().resolve("scratch"));
            default -> throw new IllegalStateException("unreachable: drop.url is checked when agent.conf is read");
        };
    }
}
