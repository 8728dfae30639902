package labdrop.drop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where everything lives in the drop directory (see docs/drop-layout.md). Every method validates
 * the names it is given, so no caller can build a path from an unchecked string.
 */
public final class DropLayout {
    public static final String STATE_FILE = "state_file";
    public static final String CURRENT = "current";
    public static final String CONFIG = "config";
    public static final String RESULTS = "results";
    public static final String RESULT_FILE = "result.xml";
    /** The request's cases (JUnit XML and TAP, read by the agent), written before {@link #RESULT_FILE}. */
    public static final String CASES_FILE = "cases.xml";
    /** Not a valid host name, so it can never collide with one, and no SUT jail contains it. */
    public static final String QUARANTINE = ".quarantine";

    private final Path root;

    public DropLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path hostDir(String host) {
        return root.resolve(Names.require("host name", host));
    }

    public Path stateFile(String host) {
        return hostDir(host).resolve(STATE_FILE);
    }

    public Path currentDir(String host) {
        return hostDir(host).resolve(CURRENT);
    }

    public Path requestFile(String host, String requestId) {
        return currentDir(host).resolve(Names.require("request id", requestId) + ".xml");
    }

    public Path configDir(String host) {
        return hostDir(host).resolve(CONFIG);
    }

    public Path configFile(String host, String file) {
        return configDir(host).resolve(Names.require("config file name", file));
    }

    public Path resultsDir(String host, String requestId) {
        return hostDir(host).resolve(RESULTS).resolve(Names.require("request id", requestId));
    }

    public Path quarantineDir(String host) {
        return root.resolve(QUARANTINE).resolve(Names.require("host name", host));
    }

    /** Creates the host's folders (idempotent). */
    public void createHost(String host) throws IOException {
        Files.createDirectories(currentDir(host));
        Files.createDirectories(configDir(host));
        Files.createDirectories(hostDir(host).resolve(RESULTS));
    }
}
