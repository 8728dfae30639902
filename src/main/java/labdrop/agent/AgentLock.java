package labdrop.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import labdrop.error.ConflictException;

/**
 * One agent per work folder: an OS file lock on {@code <work.dir>/agent.lock}, which the kernel
 * drops when the process dies however it dies, so a killed agent never blocks the next one. The
 * file also holds the holder's pid, for the message the second agent prints.
 */
public final class AgentLock implements AutoCloseable {
    static final String FILE = "agent.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private AgentLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static AgentLock acquire(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path file = workDir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            channel.read(buffer, 0);
            channel.close();
            String holder = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
            throw new ConflictException("another labdrop agent" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + " is running with work.dir " + workDir + " and holds " + file
                    + "; only one agent may run per SUT. Stop it first (systemctl stop labdrop-agent),"
                    + " or wait for its poll to end");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        return new AgentLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
