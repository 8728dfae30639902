package labdrop.host;

import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;
import labdrop.error.BadInputException;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageType;

/**
 * An agent release announced to a host in its {@code config/agent-release}: the version and the
 * pinned {@code client-labdrop-agent-<version>} package (SHA-256 and size), as key = value text.
 * The server validates it before writing; the agent parses it again before trusting it.
 */
public record AgentRelease(String version, String file, String sha256, long size) {
    public static final String CONFIG_FILE = "agent-release";
    public static final String PACKAGE_PREFIX = "labdrop-agent-";

    /** The version a release package's name carries ({@code labdrop-agent-0.2.0} → 0.2.0). */
    public static String versionOf(String packageName) {
        if (packageName == null || !packageName.startsWith(PACKAGE_PREFIX)
                || !packageName.substring(PACKAGE_PREFIX.length()).matches("[0-9][0-9a-z.+~-]{0,40}")) {
            throw new BadInputException("package '" + packageName + "' is not an agent release; its name must be "
                    + PACKAGE_PREFIX + "VERSION (build it with labdrop pkg build DIR --type client --name "
                    + PACKAGE_PREFIX + "0.2.0)");
        }
        return packageName.substring(PACKAGE_PREFIX.length());
    }

    public static AgentRelease parse(String text, String where) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException(where + " is not key = value text: " + e.getMessage());
        }
        String version = p.getProperty("version", "").strip();
        String file = p.getProperty("file", "").strip();
        String sha256 = p.getProperty("sha256", "").strip();
        String size = p.getProperty("size", "").strip();
        if (!version.matches("[0-9][0-9a-z.+~-]{0,40}")) {
            throw new BadInputException(where + ": version '" + version + "' is not a version (e.g. 0.2.0)");
        }
        PackageFile pkg;
        try {
            pkg = PackageFile.parse(file);
        } catch (BadInputException e) {
            throw new BadInputException(where + ": " + e.getMessage());
        }
        if (pkg.type() != PackageType.CLIENT || !pkg.name().equals(PACKAGE_PREFIX + version)) {
            throw new BadInputException(where + ": file '" + file + "' is not the client-" + PACKAGE_PREFIX + version
                    + " package");
        }
        if (!sha256.matches("[0-9a-f]{64}") || !size.matches("[0-9]{1,15}")) {
            throw new BadInputException(where + ": sha256 (64 hex digits) and size (bytes) are required");
        }
        return new AgentRelease(version, file, sha256, Long.parseLong(size));
    }

    public String render() {
        return "# Written by labdrop agent-release: the agent updates itself to this release between requests.\n"
                + "version = " + version + "\nfile = " + file + "\nsha256 = " + sha256 + "\nsize = " + size + "\n";
    }
}
