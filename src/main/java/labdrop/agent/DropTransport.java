package labdrop.agent;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the agent does with its host's folder in the drop, the same over every transport
 * ({@code file://}, {@code sftp://}, {@code rsync+ssh://}), so the agent's logic is written once.
 * Every file written appears atomically (a temporary name, then a rename) and the agent never
 * writes {@code current/} or {@code config/}: it only deletes a finished request's file.
 */
public interface DropTransport extends AutoCloseable {
    /** Largest file of config/ or current/ copied into the mirror. */
    long MAX_FILE_BYTES = 1 << 20;

    String describe();

    /**
     * Replaces {@code mirror/config/} and {@code mirror/current/} with the host folder's
     * {@code config/*} and {@code current/*.xml}: one connection, one listing per folder.
     */
    void pull(Path mirror) throws IOException;

    /** Replaces the host's {@code state_file}. */
    void writeState(byte[] xml) throws IOException;

    /**
     * Copies the files of the local {@code results/<id>/} folder that are new or changed since
     * the last push into the host's {@code results/<id>/}; {@code result.xml} always goes last,
     * so the server never reads a result whose logs are still on their way.
     */
    void pushResults(String requestId, Path localDir) throws IOException;

    /** Deletes {@code current/<id>.xml}; a file already gone is fine. */
    void removeRequest(String requestId) throws IOException;

    @Override
    void close() throws IOException;
}
