package labdrop.pkg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import labdrop.error.BadInputException;

/**
 * The agent's self-update release ({@code client-labdrop-agent-<version>.tar.bz2}, docs/agent.md):
 * an installation's {@code labdrop.jar} and only the libraries of its {@code lib/} that an agent
 * loads. The server's libraries (Camel, Jetty, the store, metrics, mail, Bouncy Castle's bcrypt
 * and so on) stay out; the jar's class path names them, and a class path entry that is missing
 * is skipped by the JVM. Every jar is stored uncompressed (see {@link StoredJars}).
 */
public final class AgentRelease {
    /**
     * What {@code labdrop agent} loads, by artifact id. SelfUpdateIT runs a release built from this
     * list over file:// and sftp:// (ed25519 keys: Bouncy Castle's provider for MINA SSHD).
     */
    public static final List<String> LIBRARIES = List.of(
            "picocli", "slf4j-api", "logback-classic", "logback-core",
            "quartz",
            "jackson-core", "jackson-databind", "jackson-annotations", "jackson-datatype-jsr310",
            "jakarta.xml.bind-api", "jaxb-runtime", "jaxb-core", "txw2", "istack-commons-runtime",
            "jakarta.activation-api", "angus-activation",
            "commons-compress", "commons-io", "commons-lang3", "xz", "zstd-jni",
            "sshd-core", "sshd-common", "sshd-sftp", "bcprov-jdk18on",
            "maven-artifact");
    static final String JAR = "labdrop.jar";
    static final String LIB = "lib";

    private AgentRelease() {
    }

    /**
     * The package of a release of {@code version}: {@code labdrop-agent-<version>}, in lower case as package names
     * are (agents compare versions as Maven does, where case does not count: 0.2.0-SNAPSHOT is 0.2.0-snapshot).
     */
    public static PackageFile file(String version) {
        return new PackageFile(PackageType.CLIENT, "labdrop-agent-" + version.toLowerCase(Locale.ROOT), PackageFormat.BZ2);
    }

    /** The version an installation's jar declares (its {@code Implementation-Version}). */
    public static String version(Path installation) throws IOException {
        Path jar = installation.resolve(JAR);
        if (!Files.isRegularFile(jar)) {
            throw new BadInputException(installation + " holds no " + JAR + "; give the folder of an installed labdrop"
                    + " (/usr/share/labdrop) or of a build (target/)");
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            String version = file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            if (version == null || !version.matches("[0-9A-Za-z.+~-]{1,64}")) {
                throw new BadInputException(jar + " declares no usable Implementation-Version (" + version
                        + "); an agent release is named after it");
            }
            return version;
        }
    }

    /** Builds the release of {@code installation} into {@code outDir} (scratch space under {@code outDir} is removed). */
    public static PackageBuilder.Built build(Path installation, Path outDir, PackageBuilder builder) throws IOException {
        String version = version(installation);
        Path staging = Files.createTempDirectory(Files.createDirectories(outDir), ".agent-release-");
        try {
            Path lib = Files.createDirectories(staging.resolve(LIB));
            StoredJars.copy(installation.resolve(JAR), staging.resolve(JAR));
            for (Path jar : libraries(installation.resolve(LIB))) {
                StoredJars.copy(jar, lib.resolve(jar.getFileName()));
            }
            return builder.build(staging, file(version), outDir);
        } finally {
            try (Stream<Path> walk = Files.walk(staging)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The jars of {@code lib} that {@link #LIBRARIES} names, one per artifact id. */
    static List<Path> libraries(Path lib) throws IOException {
        List<Path> all;
        try (Stream<Path> files = Files.list(lib)) {
            all = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException(lib + " cannot be listed (" + e.getMessage() + "); an agent release takes its libraries"
                    + " from the installation's lib/");
        }
        List<Path> chosen = new ArrayList<>();
        for (String artifact : LIBRARIES) {
            Pattern name = Pattern.compile(Pattern.quote(artifact) + "-[0-9][^/]*\\.jar");
            List<Path> matches = all.stream().filter(p -> name.matcher(p.getFileName().toString()).matches()).toList();
            if (matches.size() != 1) {
                throw new BadInputException(lib + " holds " + matches.size() + " jars of " + artifact + " " + matches
                        + " where an agent release needs exactly one; reinstall labdrop or rebuild target/lib");
            }
            chosen.add(matches.get(0));
        }
        return chosen;
    }
}
