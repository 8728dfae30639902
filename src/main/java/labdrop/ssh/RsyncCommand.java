package labdrop.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.UUID;
import java.util.stream.Stream;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one exec the embedded server accepts: {@code rsync --server …}, checked and rewritten by
 * {@link RsyncArgs}, run as a child process in the host folder with an empty environment, its
 * standard streams wired to the channel. Anything else gets a one-line refusal and exit code 1.
 */
final class RsyncCommand extends ExecCommand {
    private static final Logger LOG = LoggerFactory.getLogger(RsyncCommand.class);
    private final String rsync;
    private final BiConsumer<String, String> labSynced;
    private final Consumer<String> written;
    private Process process;

    /**
     * {@code labSynced}: told (host, lab) when a lab's gateway pulls a host's current/, i.e. syncs
     * it; {@code written}: told the host when a push into its folder has ended.
     */
    RsyncCommand(String commandLine, Sessions sessions, String rsync, BiConsumer<String, String> labSynced,
                 Consumer<String> written) {
        super(commandLine, sessions);
        this.rsync = rsync;
        this.labSynced = labSynced;
        this.written = written;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        var session = channel.getServerSession();
        Jail jail = sessions.jail(session);
        RsyncArgs.Checked checked;
        Sessions.Quota quota;
        try {
            String host = jail.locate(firstPath(commandLine)).map(Jail.Where::host).orElse(null);
            quota = host == null ? null
                    : sessions.quota(session, jail, "/" + (jail.login().isLab() ? host + "/" : ""));
            checked = RsyncArgs.check(commandLine, jail, sessions.dropRoot(), quota == null ? 1 : quota.bytesLeft());
            if (checked.receiver() && quota != null && (quota.bytesLeft() == 0 || quota.filesLeft() == 0)) {
                throw new RsyncArgs.Refused("host folder '" + checked.host() + "' is at its quota (ssh.quota-bytes "
                        + "or ssh.quota-files); an admin removes old results or raises the quota");
            }
        } catch (RsyncArgs.Refused | IOException e) {
            String why = e instanceof AccessDeniedException a && a.getReason() != null ? a.getReason()
                    : e.getMessage();
            refuse(session, why, 1);
            return;
        }
        sessions.metrics().started(SshMetrics.RSYNC);
        if (!checked.receiver() && jail.login().isLab()) {
            jail.locate(firstPath(commandLine)).filter(where -> DropLayout.CURRENT.equals(Jail.normalize(where.inHost())))
                    .ifPresent(where -> labSynced.accept(where.host(), jail.login().user()));
        }
        sessions.audit(session, checked.receiver() ? "rsync-write" : "rsync-read",
                checked.host() + (checked.target() == null ? "" : "/" + checked.target()));
        Path hostDir = sessions.dropRoot().resolve(checked.host());
        List<String> args = new ArrayList<>(checked.args());
        Path staging = null;
        if (checked.stateOnly()) {
            // A push to the folder itself lands in a hidden staging folder; only its state_file is kept.
            staging = Files.createDirectory(hostDir.resolve(AtomicFiles.TEMP_PREFIX + "rsync-" + UUID.randomUUID()));
            args.set(args.size() - 1, staging + (checked.target().isEmpty() ? "/" : "/" + DropLayout.STATE_FILE));
        }
        List<String> command = new ArrayList<>();
        command.add(rsync);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(sessions.dropRoot().resolve(checked.host()).toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("LC_ALL", "C");
        process = builder.start();
        PushWatch watch = checked.receiver() && quota != null
                ? new PushWatch(hostDir, new DropLayout(sessions.dropRoot()).quarantineDir(checked.host()), quota, why -> {
                    sessions.audit(session, "refused", "rsync push stopped: " + why);
                    process.destroyForcibly();
                }) : null;
        SshMetrics metrics = sessions.metrics();
        Thread stdin = pump("rsync-in", in, process.getOutputStream(), true, watch, metrics);
        Thread stderr = pump("rsync-err", process.getErrorStream(), err, false, null, null);
        Path staged = staging;
        Thread stdout = new Thread(() -> {
            try {
                process.getInputStream().transferTo(new FlushingStream(out, metrics));
                stderr.join();
                int code = process.waitFor();
                String stopped = watch == null ? null : watch.stopped();
                if (watch != null) {
                    watch.close();
                }
                if (staged != null) {
                    keepStateFile(session, staged, hostDir, stopped == null ? code : 1);
                }
                out.flush();
                if (stopped != null) {
                    err.write(("labdrop: push stopped: " + stopped + "\n").getBytes(StandardCharsets.UTF_8));
                    err.flush();
                    exit.onExit(1, stopped);
                } else {
                    exit.onExit(code);
                }
                if (checked.receiver()) {
                    written.accept(checked.host());
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
                exit.onExit(255, e.getMessage());
            }
        }, "rsync-out");
        stdout.setDaemon(true);
        stdout.start();

    }

    /** Moves a staged push's state_file over the host's (atomically) and discards everything else it held. */
    private void keepStateFile(ServerSession session, Path staged, Path hostDir, int code)
            throws IOException {
        try {
            Path state = staged.resolve(DropLayout.STATE_FILE);
            if (code == 0 && Files.isRegularFile(state, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(state, hostDir.resolve(DropLayout.STATE_FILE), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                sessions.audit(session, "write", hostDir.getFileName() + "/" + DropLayout.STATE_FILE + " (rsync)");
            }
            long discarded;
            try (Stream<Path> rest = Files.walk(staged)) {
                discarded = rest.count() - 1;
            }
            if (discarded > 0) {
                sessions.audit(session, "refused", "rsync push to the host folder: only state_file is kept; "
                        + discarded + " other entries discarded");
            }
            AtomicFiles.deleteTree(staged);
        } catch (IOException e) {
            LOG.warn("staged rsync push {}: {}", staged, e.getMessage());
            throw e;
        }
    }

    /** The first path argument after the '.', for finding the host a lab login works in. */
    private static String firstPath(String commandLine) {
        String[] tokens = commandLine.strip().split(" +");
        for (int i = 0; i < tokens.length - 1; i++) {
            if (tokens[i].equals(".")) {
                return tokens[i + 1];
            }
        }
        return "/";
    }

    /**
     * Copies {@code from} to {@code to}; with a watch, each piece passes its quota gate first; with
     * metrics, each piece is counted as received over rsync.
     */
    private static Thread pump(String name, InputStream from, OutputStream to, boolean closeWhenDone, PushWatch watch,
                               SshMetrics metrics) {
        Thread t = new Thread(() -> {
            try {
                byte[] buffer = new byte[32 * 1024];
                int n;
                while ((n = from.read(buffer)) > 0) {
                    if (watch != null && !watch.passing(n)) {
                        return;
                    }
                    to.write(buffer, 0, n);
                    to.flush();
                    if (metrics != null) {
                        metrics.received(SshMetrics.RSYNC, n);
                    }
                }
            } catch (IOException e) {
                LOG.debug("{} ended: {}", name, e.getMessage());
            } finally {
                if (closeWhenDone) {
                    try {
                        to.close();
                    } catch (IOException ignored) {
                        // the process is gone
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Flushes after every write, so rsync's protocol messages reach the client at once; counts what it sent. */
    private static final class FlushingStream extends OutputStream {
        private final OutputStream out;
        private final SshMetrics metrics;

        FlushingStream(OutputStream out, SshMetrics metrics) {
            this.out = out;
            this.metrics = metrics;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            out.flush();
            metrics.sent(SshMetrics.RSYNC, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            out.flush();
            metrics.sent(SshMetrics.RSYNC, len);
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (process != null) {
            process.destroyForcibly();
        }
    }

}
