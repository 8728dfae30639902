package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * What a CLI command asks of the lab: the API's calls ({@code /api/v1}, docs/api.md), answered
 * by this process over the store named by server.conf ({@link LocalLab}), or over HTTP ({@link
 * Remote}) by the server running on this host or by a remote one ({@code --server}). A command is written once against it, so its output
 * and exit codes are the same either way. Errors are the domain's exceptions (and so exit codes).
 */
interface LabClient extends AutoCloseable {
    JsonNode call(String method, String path, Object body) throws IOException;

    default JsonNode get(String path) throws IOException {
        return call("GET", path, null);
    }

    /** True on the server host, where the caller acts as {@code --as}; false with a user's token. */
    boolean local();

    @Override
    void close();
}
