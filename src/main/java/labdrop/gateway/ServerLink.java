package labdrop.gateway;

import java.io.IOException;
import java.net.URI;
import labdrop.transport.SftpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one connection to the server: the lab's SSH login, opened on first use and kept
 * open, shared by the syncs (SFTP), the package fetches and the doorbell's long-poll (each on a
 * channel of its own). Whoever finds it broken says so, and the next user opens a new one.
 */
final class ServerLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerLink.class);
    private final URI server;
    private final GatewayConfig.Upstream up;
    private SftpSession session;

    ServerLink(URI server, GatewayConfig.Upstream up) {
        this.server = server;
        this.up = up;
    }

    synchronized SftpSession session() throws IOException {
        if (session == null) {
            session = SftpSession.open(server, up.identity(), up.knownHosts(), up.acceptNewHostKey(), up.connectTimeout(),
                    up.timeout());
        }
        return session;
    }

    /** {@code broken} failed: closed, unless a newer session has replaced it already. */
    synchronized void broken(SftpSession broken) {
        if (broken != null && broken == session) {
            close();
        }
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            try {
                session.close();
            } catch (IOException e) {
                LOG.debug("closing the session to the server: {}", e.getMessage());
            }
            session = null;
        }
    }
}
