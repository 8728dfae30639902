package labdrop.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import labdrop.config.ServerConfig;
import labdrop.error.BadInputException;
import labdrop.pkg.AgentRelease;
import labdrop.pkg.Manifest;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;
import labdrop.pkg.Staging;
import labdrop.pkg.Uploader;
import labdrop.transport.SftpUploadLocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pkg", mixinStandardHelpOptions = true,
        description = "Build, index, upload, list, verify and remove Autotest-compatible test packages.")
final class PkgCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = {"Build <type>-<name>.tar.bz2 from a source tree, reproducibly (same tree, same bytes)."
                    + " bzip2 is written as independent 900 kB streams (as pbzip2 does) so installs decode in parallel;"
                    + " --format zst or gz for labs that need no Autotest compatibility. The fixed entry time is"
                    + " $SOURCE_DATE_EPOCH when set, else 2000-01-01."})
    static final class Build implements Callable<Integer> {
        @Parameters(paramLabel = "SRC", description = "The package's source folder.") Path src;
        @Option(names = "--type", required = true, description = "test, profiler, dep or client.") String type;
        @Option(names = "--name", required = true) String name;
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
        @Option(names = "--format", defaultValue = "bz2", description = "bz2 (default), zst or gz.") String format;

        @Override
        public Integer call() throws Exception {
            String epoch = System.getenv("SOURCE_DATE_EPOCH");
            PackageFormat f = switch (format) {
                case "bz2" -> PackageFormat.BZ2;
                case "zst" -> PackageFormat.ZST;
                case "gz" -> PackageFormat.GZ;
                default -> throw new BadInputException("--format '" + format + "' is not bz2, zst or gz");
            };
            PackageBuilder.Built built = new PackageBuilder(epoch == null ? PackageBuilder.DEFAULT_MTIME : Long.parseLong(epoch),
                    Runtime.getRuntime().availableProcessors())
                    .build(src, new PackageFile(PackageType.parse(type), name, f), Files.createDirectories(out));
            System.out.println(built.file() + "  " + built.digest().size() + " bytes  sha256 " + built.digest().sha256()
                    + (built.streamOffsets().isEmpty() ? "" : "  " + built.streamOffsets().size() + " bzip2 streams"));
            return 0;
        }
    }

    @Command(name = "agent-release", mixinStandardHelpOptions = true,
            description = {"Build client-labdrop-agent-<version>.tar.bz2, the agent's self-update release, from an installation:"
                    + " its labdrop.jar and only the libraries an agent loads (docs/agent.md#self-update).",
                    "Upload it with labdrop pkg upload, then announce it with labdrop host agent-release."})
    static final class AgentReleaseBuild implements Callable<Integer> {
        @Option(names = "--from", paramLabel = "DIR",
                description = "The folder holding labdrop.jar and lib/ (default: the installation running this command).")
        Path from;
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;

        @Override
        public Integer call() throws Exception {
            Path installation = from != null ? from : running();
            PackageBuilder.Built built = AgentRelease.build(installation, out,
                    new PackageBuilder(PackageBuilder.DEFAULT_MTIME, Runtime.getRuntime().availableProcessors()));
            System.out.println(built.file() + "  " + built.digest().size() + " bytes  sha256 " + built.digest().sha256());
            return 0;
        }

        private static Path running() throws Exception {
            Path code = Path.of(AgentReleaseBuild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(code)) {
                throw new BadInputException("this labdrop runs from " + code + ", not from a jar; give --from DIR");
            }
            return code.getParent();
        }
    }

    @Command(name = "index", mixinStandardHelpOptions = true,
            description = "Write packages.checksum (Autotest: md5 and name) and packages.manifest (size, SHA-256, streams) for DIR.")
    static final class Index implements Callable<Integer> {
        @Parameters(paramLabel = "DIR") Path dir;

        @Override
        public Integer call() throws Exception {
            Manifest manifest = new Repository(dir).index();
            System.out.println("indexed " + manifest.entries().size() + " packages in " + dir);
            return 0;
        }
    }

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = {"Upload packages to every location (local folders or sftp://user@host:port/path), "
                    + "then rewrite each location's index. Checks writability and free space everywhere first; "
                    + "any failure exits non-zero naming the location."})
    static final class Upload implements Callable<Integer> {
        @Parameters(paramLabel = "PKG", arity = "1..*") List<Path> packages;
        @Option(names = "--to", required = true, paramLabel = "LOCATION", arity = "1..*") List<String> locations;
        @Option(names = "--identity", paramLabel = "KEY", description = "Private key for sftp:// (default ~/.ssh/id_ed25519, else id_rsa).")
        Path identity;
        @Option(names = "--known-hosts", paramLabel = "FILE", defaultValue = "${sys:user.home}/.ssh/known_hosts",
                description = "Known hosts for sftp:// (default ${DEFAULT-VALUE}).")
        Path knownHosts;
        @Option(names = "--accept-new-host-key", description = "Pin an unknown sftp:// server's key on first use.")
        boolean acceptNew;

        @Override
        public Integer call() throws Exception {
            List<Uploader.Location> targets = locations.stream().map(this::location).toList();
            try {
                new Uploader().upload(packages, targets);
            } finally {
                for (Uploader.Location target : targets) {
                    if (target instanceof AutoCloseable closeable) {
                        closeable.close();
                    }
                }
            }
            System.out.println("uploaded " + packages.size() + " packages to " + targets.size() + " locations");
            return 0;
        }

        private Uploader.Location location(String text) {
            if (text.startsWith("sftp://")) {
                Path home = Path.of(System.getProperty("user.home"), ".ssh");
                Path key = identity != null ? identity
                        : Files.exists(home.resolve("id_ed25519")) ? home.resolve("id_ed25519") : home.resolve("id_rsa");
                return new SftpUploadLocation(URI.create(text), key, knownHosts, acceptNew,
                        Duration.ofSeconds(30));
            }
            return Uploader.folder(Path.of(text.startsWith("file://") ? URI.create(text).getPath() : text));
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Publish an uploaded package to one of the server's repositories (default custom):",
                    "staged in custom_download_location under a size cap, its SHA-256 checked against --sha256, "
                    + "unpacked once under the installer's rules, then moved in and the repository re-indexed."})
    static final class Publish implements Callable<Integer> {
        @Mixin ConfOption conf;
        @Parameters(paramLabel = "PKG") Path pkg;
        @Option(names = "--sha256", required = true, description = "The SHA-256 the uploader declares.") String sha256;
        @Option(names = "--repo", defaultValue = "custom", description = "builtin or custom (default ${DEFAULT-VALUE}).") String repo;
        @Option(names = "--max-bytes", defaultValue = "2147483648", description = "Size cap (default ${DEFAULT-VALUE}).") long maxBytes;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = conf.load();
            Path dir = config.http().repositories().get(repo);
            if (dir == null) {
                throw new BadInputException("repository '" + repo + "' is not one of "
                        + config.http().repositories().keySet());
            }
            var pool = Executors.newFixedThreadPool(2);
            try (var in = Files.newInputStream(pkg)) {
                Manifest.Entry e = new Staging(config.http().staging(), maxBytes, pool)
                        .publish(in, pkg.getFileName().toString(), sha256, new Repository(dir));
                System.out.println("published " + e.name() + " to " + repo + " (" + e.size() + " bytes, sha256 " + e.sha256() + ")");
            } finally {
                pool.shutdownNow();
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a repository's packages from its index.")
    static final class ListPkgs implements Callable<Integer> {
        @Parameters(paramLabel = "DIR") Path dir;
        @Mixin JsonOption json;

        @Override
        public Integer call() throws Exception {
            List<Map<String, Object>> entries = new ArrayList<>();
            for (Manifest.Entry e : new Repository(dir).manifest().entries().values()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", e.name());
                m.put("size", e.size() < 0 ? null : e.size());
                m.put("sha256", e.sha256());
                m.put("md5", e.md5());
                entries.add(m);
            }
            if (json.print(entries)) {
                return 0;
            }
            for (Manifest.Entry e : new Repository(dir).manifest().entries().values()) {
                System.out.printf("%-40s %12s  %s%n", e.name(), e.size() < 0 ? "?" : e.size(),
                        e.sha256() == null ? "md5 " + e.md5() : e.sha256());
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-hash every package and compare with the index; exit 6 on any mismatch.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "DIR") Path dir;

        @Override
        public Integer call() throws Exception {
            List<Repository.Problem> problems = new Repository(dir).verify();
            problems.forEach(p -> System.out.println(p.name() + ": " + p.problem()));
            if (problems.isEmpty()) {
                System.out.println("all packages in " + dir + " match the index");
                return 0;
            }
            return ExitCodes.MISMATCH;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a package from a repository and re-index it.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR") Path dir;
        @Parameters(index = "1", paramLabel = "PACKAGE", description = "e.g. test-dbench.tar.bz2") String name;

        @Override
        public Integer call() throws Exception {
            new Repository(dir).remove(name);
            System.out.println("removed " + name + " from " + dir);
            return 0;
        }
    }
}
