package labdrop.agent;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;

/**
 * {@code rsync+ssh://HOST@SERVER:PORT/PATH}: the real rsync binary over ssh, every call with
 * {@code --timeout}, ssh in batch mode with a connect timeout and the configured key and
 * known-hosts file. rsync writes every file under a temporary name and renames it, so the server
 * never reads a partial file. Exit codes that mean a broken connection or a timeout are retried by
 * the caller; the others (syntax, protocol, file selection, permission) are not.
 */
final class RsyncTransport implements DropTransport {
    /** rsync's exit codes worth another attempt: protocol start, socket I/O, data stream, timeouts; 255 is ssh's. */
    static final Set<Integer> RETRYABLE = Set.of(5, 10, 12, 30, 35, 255);
    private final URI uri;
    private final String remoteBase;
    private final AgentConfig.Ssh ssh;
    private final Path scratch;

    RsyncTransport(URI uri, AgentConfig.Ssh ssh, Path scratch) {
        this.uri = uri;
        String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
        this.remoteBase = uri.getUserInfo() + "@" + uri.getHost() + ":" + (path.endsWith("/") ? path : path + "/");
        this.ssh = ssh;
        this.scratch = scratch;
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    /** The ssh command rsync runs: batch mode, our key only, host key checked, a connect timeout. */
    String sshCommand() {
        return ssh.sshPath() + " -p " + (uri.getPort() < 0 ? 22 : uri.getPort()) + " -i " + quote(ssh.identity())
                + " -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=" + quote(ssh.knownHosts())
                + " -o StrictHostKeyChecking=" + (ssh.acceptNewHostKey() ? "accept-new" : "yes")
                + " -o ConnectTimeout=" + Math.max(1, ssh.connectTimeout().toSeconds())
                + " -o ServerAliveInterval=" + Math.max(1, ssh.timeout().toSeconds() / 3)
                + " -o LogLevel=ERROR";
    }

    private static String quote(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    @Override
    public void pull(Path mirror) throws IOException {
        Files.createDirectories(mirror);
        rsync("-rt", "--delete", "--max-size=" + MAX_FILE_BYTES, "--exclude=.*", "--include=/config/",
                "--include=/config/*", "--include=/current/", "--include=/current/*.xml", "--exclude=*",
                remoteBase, mirror + "/");
        for (String folder : List.of(DropLayout.CONFIG, DropLayout.CURRENT)) {
            Files.createDirectories(mirror.resolve(folder));
        }
    }

    @Override
    public void writeState(byte[] xml) throws IOException {
        Path outbox = Files.createDirectories(scratch.resolve("outbox"));
        AtomicFiles.write(outbox.resolve(DropLayout.STATE_FILE), xml);
        // Into the folder, not onto the file: rrsync (rsync 3.5) pins the destination through /proc/self/fd and
        // cannot replace a file named as the destination; the embedded server keeps only state_file from such a push.
        rsync("-t", "--checksum", outbox.resolve(DropLayout.STATE_FILE).toString(), remoteBase);
    }

    @Override
    public void pushResults(String requestId, Path localDir) throws IOException {
        if (!Files.isDirectory(localDir)) {
            return;
        }
        String target = remoteBase + DropLayout.RESULTS + "/" + requestId + "/";
        boolean hasResult = Files.isRegularFile(localDir.resolve(DropLayout.RESULT_FILE));
        rsync("-rt", "--mkpath", "--exclude=.*", "--exclude=/" + DropLayout.RESULT_FILE, localDir + "/", target);
        if (hasResult) {
            rsync("-t", localDir.resolve(DropLayout.RESULT_FILE).toString(), target);
        }
    }

    @Override
    public void removeRequest(String requestId) throws IOException {
        Path empty = Files.createDirectories(scratch.resolve("empty"));
        rsync("-r", "--delete", "--include=/" + requestId + ".xml", "--exclude=*", empty + "/",
                remoteBase + DropLayout.CURRENT + "/");
    }

    @Override
    public void close() {
        // every rsync call is its own connection; nothing stays open
    }

    private void rsync(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ssh.rsyncPath(), "--timeout=" + Math.max(1, ssh.timeout().toSeconds()),
                "-e", sshCommand()));
        command.addAll(List.of(args));
        Path err = Files.createDirectories(scratch).resolve("rsync.err");
        Process process = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        int code;
        try {
            long limit = ssh.connectTimeout().plus(ssh.timeout()).toSeconds() * 4;
            if (!process.waitFor(limit, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new TransportException("rsync to " + uri + " did not finish within " + limit + "s", true);
            }
            code = process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while rsync ran");
        }
        if (code != 0 && code != 24) {
            String stderr = Files.readString(err, StandardCharsets.UTF_8).strip();
            throw new TransportException("rsync to " + uri + " exited with " + code + ": "
                    + (stderr.length() > 500 ? stderr.substring(stderr.length() - 500) : stderr), RETRYABLE.contains(code));
        }
    }
}
