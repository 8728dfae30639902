package labdrop.gateway;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import labdrop.transport.SftpSession;

/**
 * The gateway's one connection to the server: the lab's SSH login over SFTP or rsync+ssh, opened
 * on first use and kept open, shared by the syncs, the package fetches and the doorbell's
 * long-poll (each on a channel of its own). Whoever finds it broken says so, and the next user opens a new one.
 * With the lab's doorbell over HTTP the gateway closes it between changes ({@code server.linger}).
 */
final class ServerLink implements AutoCloseable {
    private final URI server;
    private final GatewayConfig.Upstream up;
    private final Path scratch;
    private Upstream session;
    private final AtomicLong opened = new AtomicLong();

    ServerLink(URI server, GatewayConfig.Upstream up, Path scratch) {
        this.server = server;
        this.up = up;
        this.scratch = scratch;
    }

    synchronized Upstream session() throws IOException {
        if (session == null) {
            session = "rsync+ssh".equals(server.getScheme())
                    ? RsyncUpstream.open(server, up, up.rsyncPath(), up.sshPath(), scratch)
                    : new SftpUpstream(SftpSession.open(server, up.identity(), up.knownHosts(), up.acceptNewHostKey(),
                            up.connectTimeout(), up.timeout()));
            opened.incrementAndGet();
        }
        return session;
    }

    /** True while a connection is open. */
    synchronized boolean open() {
        return session != null;
    }

    /** Connections opened (logins to the server) since the gateway started. */
    long opened() {
        return opened.get();
    }

    /** {@code broken} failed: closed, unless a newer session has replaced it already. */
    synchronized void broken(Upstream broken) {
        if (broken != null && broken == session) {
            close();
        }
    }

    @Override
    public synchronized void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
