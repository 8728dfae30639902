package labdrop.gateway;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import labdrop.drop.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rsync+ssh://LAB@SERVER:PORT/}: the real rsync and OpenSSH binaries, all over one
 * connection: an OpenSSH master ({@code ControlMaster}, started with {@code -f -N} and stopped on
 * close) that every rsync call and every lab command shares as a channel. rsync writes each file
 * under a temporary name and renames it. Every call has the configured timeouts; the server's key
 * is checked against the gateway's known_hosts (accept-new only when configured).
 */
final class RsyncUpstream implements Upstream {
    private static final Logger LOG = LoggerFactory.getLogger(RsyncUpstream.class);
    private final URI server;
    private final String remote;
    private final GatewayConfig.Upstream up;
    private final String rsync;
    private final String ssh;
    private final Path scratch;
    private final Path control;

    private RsyncUpstream(URI server, GatewayConfig.Upstream up, String rsync, String ssh, Path scratch) {
        this.server = server;
        this.remote = server.getUserInfo() + "@" + server.getHost() + ":";
        this.up = up;
        this.rsync = rsync;
        this.ssh = ssh;
        this.scratch = scratch;
        this.control = scratch.resolve("ssh-master");
    }

    /** Logs in (the OpenSSH master) and returns the link; refused logins and unknown server keys fail here. */
    static RsyncUpstream open(URI server, GatewayConfig.Upstream up, String rsync, String ssh, Path scratch) throws IOException {
        Files.createDirectories(scratch);
        RsyncUpstream link = new RsyncUpstream(server, up, rsync, ssh, scratch);
        Files.deleteIfExists(link.control);
        List<String> master = new ArrayList<>(link.sshArgs("yes"));
        master.addAll(List.of("-f", "-N", link.login()));
        Run started = link.run(master, null, up.connectTimeout().plus(up.timeout()));
        if (started.status() != 0) {
            throw new IOException("cannot log in to " + server.getHost() + ":" + port(server) + " as " + server.getUserInfo()
                    + " with key " + up.identity() + " (server key checked against " + up.knownHosts() + "): ssh exited with "
                    + started.status() + ": " + started.stderr());
        }
        return link;
    }

    private static int port(URI server) {
        return server.getPort() < 0 ? 22 : server.getPort();
    }

    private String login() {
        return server.getUserInfo() + "@" + server.getHost();
    }

    /** ssh's options: our key only, batch mode, the server's key checked, timeouts, and the shared master. */
    private List<String> sshArgs(String master) {
        return List.of(ssh, "-p", Integer.toString(port(server)), "-i", up.identity().toString(), "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + up.knownHosts(),
                "-o", "StrictHostKeyChecking=" + (up.acceptNewHostKey() ? "accept-new" : "yes"),
                "-o", "ConnectTimeout=" + Math.max(1, up.connectTimeout().toSeconds()),
                "-o", "ServerAliveInterval=" + Math.max(1, up.timeout().toSeconds() / 3), "-o", "LogLevel=ERROR",
                "-o", "ControlMaster=" + master, "-o", "ControlPath=" + control, "-o", "ControlPersist=yes");
    }

    /** The ssh command rsync runs (-e): through the master. */
    private String sshCommand() {
        StringBuilder out = new StringBuilder();
        for (String arg : sshArgs("no")) {
            out.append(out.length() == 0 ? "" : " ").append("'").append(arg.replace("'", "'\\''")).append("'");
        }
        return out.toString();
    }

    /** rsync reaches one host folder per call, so the lab's hosts come from its doorbell (answered at once). */
    @Override
    public List<String> hosts() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Exec done = exec("labdrop-doorbell 0 -", out, up.connectTimeout().plus(up.timeout()));
        if (done.status() != 0) {
            throw new IOException("the server did not list the lab's hosts: " + done.stderr());
        }
        try {
            return List.copyOf(LabDoorbell.parse(out.toString(StandardCharsets.UTF_8)).generations().keySet());
        } catch (IllegalArgumentException e) {
            throw new IOException("the server's list of the lab's hosts: " + e.getMessage(), e);
        }
    }

    /**
     * One rsync pull of the folder into a local mirror (only what changed crosses, files over
     * 1 MiB and hidden files are left out), then the mirror's listing; the files are then read from
     * the mirror. rsync reaches the server's folders only through transfers, so this is the listing.
     */
    @Override
    public List<Entry> list(String folder) throws IOException {
        Path mirror = mirror(folder);
        Files.createDirectories(mirror);
        Run pulled = rsync(List.of("-rt", "--delete", "--max-size=" + HostSync.MAX_FILE_BYTES, "--exclude=.*",
                remote + slash(folder), mirror + "/"), false);
        if (pulled.status() == 23 && pulled.stderr().contains("No such file or directory")) {
            AtomicFiles.deleteTree(mirror);
            return List.of();
        }
        check(pulled, "pull " + folder);
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(mirror)) {
            for (Path file : files) {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                out.add(new Entry(file.getFileName().toString(), a.isRegularFile(), a.isDirectory(), a.size(),
                        a.lastModifiedTime().toMillis()));
            }
        }
        return out;
    }

    /** A file of a folder listed before: from the mirror that listing filled. */
    @Override
    public byte[] read(String path, long max) throws IOException {
        int slash = path.lastIndexOf('/');
        Path file = mirror(path.substring(0, slash)).resolve(path.substring(slash + 1));
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (Files.size(file) > max) {
            throw new IOException(path + " is larger than " + max + " bytes");
        }
        return Files.readAllBytes(file);
    }

    /** rsync's receiver on the server removes its own temporary when a push is cut: nothing to sweep. */
    @Override
    public void sweep(String folder) {
    }

    private Path mirror(String folder) {
        String relative = folder.replaceAll("^/+", "").replaceAll("/+$", "");
        if (relative.contains("..")) {
            throw new IllegalArgumentException("not a folder of the lab: " + folder);
        }
        return scratch.resolve("mirror").resolve(relative);
    }

    @Override
    public void put(String folder, String name, Path content) throws IOException {
        check(rsync(List.of("-t", "--mkpath", content.toString(), remote + slash(folder) + name), false),
                "push " + folder + "/" + name);
    }

    @Override
    public void remove(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        Path empty = Files.createDirectories(scratch.resolve("empty"));
        check(rsync(List.of("-r", "--delete", "--include=/" + path.substring(slash + 1), "--exclude=*", empty + "/",
                remote + slash(path.substring(0, slash))), false), "remove " + path);
    }

    @Override
    public Exec exec(String command, OutputStream out, Duration deadline) throws IOException {
        List<String> args = new ArrayList<>(sshArgs("no"));
        args.add(login());
        args.add(command);
        Run done = run(args, out, deadline);
        if (done.status() == 255) {
            throw new IOException("ssh to " + server.getHost() + " failed: " + done.stderr());
        }
        return new Exec(done.status(), done.stderr());
    }

    private static String slash(String folder) {
        return folder.endsWith("/") ? folder : folder + "/";
    }

    private void check(Run run, String what) throws IOException {
        if (run.status() != 0) {
            throw new IOException("rsync to " + server + " (" + what + ") exited with " + run.status() + ": " + run.stderr());
        }
    }

    private Run rsync(List<String> args, boolean keepStdout) throws IOException {
        List<String> command = new ArrayList<>(List.of(rsync, "--timeout=" + Math.max(1, up.timeout().toSeconds()), "-e",
                sshCommand()));
        command.addAll(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Run run = run(command, out, up.connectTimeout().plus(up.timeout()).multipliedBy(4));
        return keepStdout ? new Run(run.status(), run.stderr(), out.toString(StandardCharsets.UTF_8)) : run;
    }

    /** How a child process ended: its status, its standard error (the end of it), its standard output when kept. */
    private record Run(int status, String stderr, String stdout) {
        Run(int status, String stderr) {
            this(status, stderr, "");
        }
    }

    private Run run(List<String> command, OutputStream out, Duration deadline) throws IOException {
        Path err = Files.createTempFile(scratch, ".stderr-", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE)
                    .redirectError(err.toFile()).start();
            if (out != null) {
                try (InputStream in = process.getInputStream()) {
                    in.transferTo(out);
                }
            }
            try {
                if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException("'" + command.get(0) + "' to " + server.getHost() + " did not finish within " + deadline);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while " + command.get(0) + " ran");
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8).strip();
            return new Run(process.exitValue(), stderr.length() > 500 ? stderr.substring(stderr.length() - 500) : stderr);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    @Override
    public void close() {
        List<String> stop = new ArrayList<>(sshArgs("no"));
        stop.addAll(List.of("-O", "exit", login()));
        try {
            run(stop, null, Duration.ofSeconds(10));
        } catch (IOException e) {
            LOG.debug("stopping the ssh master: {}", e.getMessage());
        }
        try {
            AtomicFiles.deleteTree(scratch.resolve("mirror"));
        } catch (IOException e) {
            LOG.debug("cleaning {}: {}", scratch, e.getMessage());
        }
    }
}
