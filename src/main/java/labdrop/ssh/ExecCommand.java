package labdrop.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;

/**
 * What every exec the embedded server accepts has in common: the channel's streams, its exit,
 * and the one way a refusal ends (audited, one line on standard error, an exit code).
 */
abstract class ExecCommand implements Command {
    protected final String commandLine;
    protected final Sessions sessions;
    protected InputStream in;
    protected OutputStream out;
    protected OutputStream err;
    protected ExitCallback exit;

    ExecCommand(String commandLine, Sessions sessions) {
        this.commandLine = commandLine;
        this.sessions = sessions;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    /** Refuses the command: the audit log and the client both get {@code why}; the exit code is {@code code}. */
    protected void refuse(ServerSession session, String why, int code) throws IOException {
        sessions.audit(session, "refused", "exec '" + commandLine + "': " + why);
        err.write(("labdrop: " + why + "\n").getBytes(StandardCharsets.UTF_8));
        err.flush();
        exit.onExit(code, why);
    }
}
