package labdrop.ssh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The embedded SSH server's meters: channels started and payload bytes (file data over SFTP, the
 * rsync protocol stream over rsync), by transport and direction as the server sees it ({@code in}:
 * written by the client, {@code out}: read by it). Open sessions are a gauge on {@link Sessions}.
 */
final class SshMetrics {
    static final String SFTP = "sftp";
    static final String RSYNC = "rsync";
    private final Counter sftpSessions;
    private final Counter rsyncSessions;
    private final Counter sftpIn;
    private final Counter sftpOut;
    private final Counter rsyncIn;
    private final Counter rsyncOut;

    SshMetrics(MeterRegistry registry) {
        sftpSessions = sessions(registry, SFTP);
        rsyncSessions = sessions(registry, RSYNC);
        sftpIn = bytes(registry, SFTP, "in");
        sftpOut = bytes(registry, SFTP, "out");
        rsyncIn = bytes(registry, RSYNC, "in");
        rsyncOut = bytes(registry, RSYNC, "out");
    }

    private static Counter sessions(MeterRegistry registry, String transport) {
        return Counter.builder("labdrop.ssh.sessions").description("SFTP subsystems and rsync commands started, by transport")
                .tag("transport", transport).register(registry);
    }

    private static Counter bytes(MeterRegistry registry, String transport, String direction) {
        return Counter.builder("labdrop.ssh.payload").description("Bytes of file data (sftp) or rsync stream, by transport and direction")
                .baseUnit("bytes").tag("transport", transport).tag("direction", direction).register(registry);
    }

    void started(String transport) {
        (SFTP.equals(transport) ? sftpSessions : rsyncSessions).increment();
    }

    void received(String transport, long bytes) {
        if (bytes > 0) {
            (SFTP.equals(transport) ? sftpIn : rsyncIn).increment(bytes);
        }
    }

    void sent(String transport, long bytes) {
        if (bytes > 0) {
            (SFTP.equals(transport) ? sftpOut : rsyncOut).increment(bytes);
        }
    }
}
