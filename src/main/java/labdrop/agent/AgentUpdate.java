package labdrop.agent;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import labdrop.drop.AtomicFiles;
import labdrop.error.BadInputException;
import labdrop.host.AgentRelease;
import labdrop.host.HostState;
import labdrop.pkg.Fetcher;
import labdrop.pkg.InstallLimits;
import labdrop.pkg.Installer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agent self-update. The server announces a release in the host's {@code config/agent-release}
 * (written by {@code labdrop agent-release}; it arrives over the drop, like every request, so its
 * SHA-256 and size come over ssh). Between requests, an agent older than the release fetches the
 * {@code client-labdrop-agent-<version>} package from its repositories, verifies it, installs it
 * under {@code <work.dir>/releases/<version>/} and points {@code <work.dir>/agent-current} at it;
 * the launcher runs that jar from then on, and the agent exits to be restarted. A package that
 * does not match is refused and the old agent keeps running, saying why.
 */
final class AgentUpdate {
    static final String FILE = "agent-release";
    static final String CURRENT = "agent-current";
    private static final Logger LOG = LoggerFactory.getLogger(AgentUpdate.class);

    /** An announced release. */
    record Release(String version, String file, String sha256, long size) {
        static Release parse(String text, String where) {
            AgentRelease r = AgentRelease.parse(text, where);
            return new Release(r.version(), r.file(), r.sha256(), r.size());
        }
    }

    private AgentUpdate() {
    }

    /** The release announced in the mirrored config/, if any (an invalid file is reported, never used). */
    static Release announced(Path mirror) throws IOException {
        Path file = mirror.resolve("config").resolve(FILE);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return Release.parse(Files.readString(file), "config/" + FILE);
    }

    /** True when {@code release} is newer than the running agent. */
    static boolean newer(Release release, String running) {
        return HostState.compareVersions(release.version(), running) > 0;
    }

    /** Fetches, verifies and installs the release, then switches {@code agent-current} to it. */
    static Path install(RunContext context, Release release, List<URI> locations) throws IOException, InterruptedException {
        if (locations.isEmpty()) {
            throw new BadInputException("no package repository to fetch " + release.file() + " from (fetch.locations)");
        }
        Fetcher fetcher = context.fetcher();
        Path tarball = fetcher.fetch(new Fetcher.Wanted(release.file(), release.sha256(), release.size()), locations, context.cache());
        Path root = context.work().resolve("releases").resolve(release.version());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Installer.Outcome installed;
        try {
            installed = new Installer(InstallLimits.DEFAULT, pool, 2).install(tarball, release.sha256(), List.of(), root);
        } finally {
            pool.shutdownNow();
            Files.deleteIfExists(tarball);
        }
        Path jar = installed.dir().resolve("labdrop.jar");
        if (!Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS)) {
            AtomicFiles.deleteTree(root);
            throw new BadInputException(release.file() + " holds no labdrop.jar at its top; it is not an agent release");
        }
        Path link = context.work().resolve(CURRENT);
        Path temp = context.work().resolve("." + CURRENT + ".tmp");
        Files.deleteIfExists(temp);
        Files.createSymbolicLink(temp, installed.dir());
        Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("agent {} installed in {}; restarting into it", release.version(), installed.dir());
        return installed.dir();
    }
}
