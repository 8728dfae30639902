package labdrop.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The server's drop as the gateway's lab login sees it ({@code /HOST/…}, docs/ssh.md), over
 * whichever link {@code server.url} names: SFTP ({@link SftpUpstream}) or rsync over OpenSSH
 * ({@link RsyncUpstream}). Both write every file under a temporary name and rename it, and run
 * the server's lab commands ({@code labdrop-package}, {@code labdrop-doorbell}) on the same connection.
 */
interface Upstream extends AutoCloseable {
    /** One entry of a remote folder: a regular file or a folder, with what changes when the file does. */
    record Entry(String name, boolean file, boolean folder, long size, long modified) {
        String stamp() {
            return size + "@" + modified;
        }
    }

    /** How a remote command ended: its exit status and what it wrote to standard error. */
    record Exec(int status, String stderr) {
    }

    /** The lab's hosts: the folders its login sees at the root. */
    List<String> hosts() throws IOException;

    /** The entries of a remote folder; none when it does not exist. */
    List<Entry> list(String folder) throws IOException;

    /** A remote file's bytes (of a folder listed before), or null when it does not exist; larger than {@code max} is an error. */
    byte[] read(String path, long max) throws IOException;

    /** Replaces {@code folder/name} with the local file {@code content}, atomically; creates the folder when missing. */
    void put(String folder, String name, Path content) throws IOException;

    /** Removes what a push cut by a SIGKILL may have left in a remote folder (hidden temporaries). */
    void sweep(String folder) throws IOException;

    /** Deletes a remote file; one already gone is fine. */
    void remove(String path) throws IOException;

    /** Runs one of the server's lab commands on this link, its standard output into {@code out}. */
    Exec exec(String command, OutputStream out, Duration deadline) throws IOException;

    @Override
    void close();
}
