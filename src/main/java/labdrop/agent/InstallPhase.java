package labdrop.agent;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import labdrop.drop.xml.RequestDoc;
import labdrop.pkg.Fetcher;
import labdrop.pkg.InstallLimits;
import labdrop.pkg.Installer;
import labdrop.pkg.PackageFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The install phase after the optional self-reboot: the kernel-install and build-set steps when the
 * request and the host's directions allow them, sysinfo, then every package fetched, verified and
 * installed (one already installed with the same SHA-256 is kept). A failure is recorded as the
 * run's problem; the phase does not throw for it.
 */
final class InstallPhase {
    private static final Logger LOG = LoggerFactory.getLogger(InstallPhase.class);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);

    private final RunContext context;
    private final JournalFile journal;
    private final StateReporter reporter;
    private final Effective directions;
    private final RequestDoc doc;
    private final ResultWriter results;
    /** The state message of the run (the run's note and the directions' problem). */
    private final Supplier<String> message;

    InstallPhase(RunContext context, JournalFile journal, StateReporter reporter, Effective directions, RequestDoc doc,
                 ResultWriter results, Supplier<String> message) {
        this.context = context;
        this.journal = journal;
        this.reporter = reporter;
        this.directions = directions;
        this.doc = doc;
        this.results = results;
        this.message = message;
    }

    void run() throws IOException, InterruptedException {
        if (!kernelInstall() || !buildSet()) {
            return;
        }
        if (directions.flag("build_set") || doc.options.buildSet != null) {
            Sysinfo.record(results.dir().resolve("sysinfo"));
        }
        removeLeftovers();
        if (installPackages()) {
            journal.update(j -> j.inPhase(Journal.Phase.TESTS));
        }
    }

    private boolean kernelInstall() throws IOException, InterruptedException {
        String command = directions.get("kernel_install");
        if (doc.options.kernelInstall == null || "none".equals(command)) {
            return true;
        }
        reporter.report("Install", id(), "kernel-install " + doc.options.kernelInstall, message.get());
        int code = step("kernel-install", command, Map.of("LABDROP_KERNEL", doc.options.kernelInstall));
        if (code != 0) {
            fail("the kernel-install step ('" + command + "') exited with " + code + "; see logs/kernel-install.log");
            return false;
        }
        return true;
    }

    private boolean buildSet() throws IOException, InterruptedException {
        if (doc.options.buildSet == null) {
            return true;
        }
        if (!directions.flag("build_set")) {
            journal.update(j -> j.noted("the request has a build-set step, but build_set = false on this host; ran without"));
            return true;
        }
        reporter.report("Install", id(), "build-set", message.get());
        int code = step("build-set", doc.options.buildSet, Map.of());
        if (code != 0) {
            fail("the build-set step ('" + doc.options.buildSet + "') "
                    + (code < 0 ? "ran past its 30 minutes and was killed" : "exited with " + code)
                    + "; see logs/build-set.log");
            return false;
        }
        return true;
    }

    /** Cleans what a killed install left, before anything else touches the install folders. */
    private void removeLeftovers() throws IOException {
        int removed = Installer.removeLeftovers(context.installRoot());
        if (removed > 0) {
            LOG.info("removed {} half-installed package folders left by an interrupted install", removed);
        }
    }

    /** True when every package is in place. */
    private boolean installPackages() throws IOException, InterruptedException {
        List<URI> locations = new ArrayList<>();
        if (doc.packages.repository != null) {
            locations.add(URI.create(doc.packages.repository));
        }
        locations.addAll(directions.fetchLocations(context.config()));
        Fetcher fetcher = context.fetcher();
        // a multi-stream bzip2 package is decoded on every core the SUT has
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Installer installer = new Installer(InstallLimits.DEFAULT, pool, threads);
            int n = 0;
            for (RequestDoc.Package p : doc.packages.list) {
                n++;
                PackageFile file = PackageFile.parse(p.fileName());
                if (p.sha256 != null && Installer.installedDigest(file, context.installRoot()).filter(p.sha256::equals)
                        .isPresent()) {
                    LOG.info("{} unchanged (SHA-256 {}), not fetched", file.fileName(), p.sha256.substring(0, 12));
                    continue;
                }
                if (p.sha256 == null) {
                    fail("the request gives no SHA-256 for " + file.fileName()
                            + "; the agent installs only packages it can verify");
                    return false;
                }
                if (locations.isEmpty()) {
                    fail("no package repository to fetch " + file.fileName() + " from: the request names"
                            + " none and neither fetch_location (directions) nor fetch.locations (agent.conf) is set");
                    return false;
                }
                reporter.report("Install", id(), "fetch " + n + "/" + doc.packages.list.size() + " " + file.fileName(),
                        message.get());
                try {
                    long start = System.nanoTime();
                    Path tarball = fetcher.fetch(new Fetcher.Wanted(file.fileName(), p.sha256, p.size == null ? -1 : p.size),
                            locations, context.cache());
                    long fetched = System.nanoTime();
                    Installer.Outcome outcome = installer.install(tarball, p.sha256, List.of(), context.installRoot());
                    LOG.info("{}: fetched and verified {} bytes in {} ms, unpacked {} entries in {} ms{}", file.fileName(),
                            Files.size(tarball), (fetched - start) / 1_000_000, outcome.entries(),
                            (System.nanoTime() - fetched) / 1_000_000, outcome.parallel() ? " (decoded on every core)" : "");
                    Files.deleteIfExists(tarball);
                } catch (RuntimeException | IOException e) {
                    fail("package " + file.fileName() + ": " + e.getMessage());
                    return false;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return true;
    }

    private int step(String name, String command, Map<String, String> env) throws IOException, InterruptedException {
        Map<String, String> all = new HashMap<>(env);
        all.put("LABDROP_REQUEST", id());
        return CommandStep.run(results.logs(), name, command, STEP_TIMEOUT, all);
    }

    private void fail(String why) throws IOException {
        journal.update(j -> j.fail("error", why));
    }

    private String id() {
        return journal.current().request();
    }
}
