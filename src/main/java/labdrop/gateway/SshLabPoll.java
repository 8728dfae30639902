package labdrop.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The lab's doorbell on a channel of the SSH connection the gateway keeps
 * ({@code labdrop-doorbell WAIT TAG}, docs/ssh.md): the login is the credential, so the lab needs no
 * HTTP egress, and the connection stays open.
 */
final class SshLabPoll implements LabPoll {
    private final ServerLink link;

    SshLabPoll(ServerLink link) {
        this.link = link;
    }

    @Override
    public LabDoorbell.Answer poll(String tag, Duration hold) throws IOException {
        Upstream s = null;
        Upstream.Exec done;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            s = link.session();
            done = s.exec("labdrop-doorbell " + hold.toSeconds() + " " + tag, out, hold.plusSeconds(15));
        } catch (IOException | RuntimeException e) {
            link.broken(s);
            throw e;
        }
        if (done.status() == 0) {
            return LabDoorbell.parse(out.toString(StandardCharsets.UTF_8));
        }
        if (done.status() == 3) {
            throw new Busy(done.stderr());
        }
        if (done.stderr().startsWith("labdrop:")) {
            throw new Unsupported(done.stderr());
        }
        throw new IOException("labdrop-doorbell ended with " + done.status() + ": " + done.stderr());
    }

    @Override
    public void abort() {
        // the channel ends with the connection, which the gateway closes when it stops
    }
}
