package labdrop.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import labdrop.config.ServerConfig;
import labdrop.drop.DropLayout;
import labdrop.drop.Names;
import labdrop.drop.SafeRead;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.ResultDoc;
import labdrop.drop.xml.StateDoc;
import labdrop.drop.xml.XmlFormat;
import labdrop.drop.xml.XmlRefusedException;
import labdrop.error.BadInputException;
import labdrop.lab.Lab;
import labdrop.lab.LabMetrics;
import labdrop.log.LogContext;
import labdrop.queue.Confirmations;
import labdrop.queue.HealthChecks;
import labdrop.queue.Placer;
import labdrop.request.Request;
import labdrop.store.HostRows;
import labdrop.store.RequestRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what SUTs write (state_file, results/<id>/result.xml) and applies it. A file that cannot be
 * used is moved to {@code <drop>/.quarantine/<host>/} and the host keeps its last good state, except
 * a file that does not parse but changed within {@code ingest.stable-after}: that one may still be
 * being written in place (an SFTP put without rename) and is retried once it has stopped changing.
 */
public final class Ingest implements DropWatcher.Awaited {
    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
    private final Lab lab;
    private final Placer placer;
    private final ServerConfig.Ingest limits;
    private final Map<Path, Runnable> unstable = new ConcurrentHashMap<>();
    private final Map<Path, String> lastApplied = new ConcurrentHashMap<>();

    private final LabMetrics metrics;
    private final Quarantine quarantine;
    private final HealthChecks health;
    private final Confirmations confirmations;

    public Ingest(Lab lab, Placer placer, HealthChecks health, Confirmations confirmations, ServerConfig.Ingest limits,
                  LabMetrics metrics) {
        this.health = health;
        this.confirmations = confirmations;
        this.metrics = metrics;
        this.quarantine = new Quarantine(lab.drop(), limits.quarantineBytesPerHost(), limits.quarantineBytes());
        this.lab = lab;
        this.placer = placer;
        this.limits = limits;
    }

    /** The host's state_file was created or rewritten. Called by the state-ingest route. */
    public void stateChanged(String host) {
        if (!Names.isValid(host)) {
            return;
        }
        Path file = lab.drop().stateFile(host);
        Runnable again = () -> stateChanged(host);
        long start = System.nanoTime();
        try (LogContext ignored = LogContext.host(host)) {
            readState(file, host, again, start);
        }
    }

    private void readState(Path file, String host, Runnable again, long start) {
        read(file, host, limits.maxStateBytes(), again, (bytes, key) -> {
            StateDoc doc = DropXml.read(XmlFormat.STATE, bytes, host + "/state_file");
            Instant received = lab.now();
            StateIngest.Outcome outcome = lab.store().tx(h -> {
                // the host's lock is the claim: of two nodes reading the same file, the second finds it applied
                if (key.equals(HostRows.lockStateKey(h, host).orElse(null))) {
                    return StateIngest.Outcome.ALREADY;
                }
                StateIngest.Outcome applied = StateIngest.apply(h, host, doc, received, limits.minAgentVersion(),
                        limits.maxSeqAhead());
                HostRows.setStateKey(h, host, key);
                return applied;
            });
            if (outcome == StateIngest.Outcome.STALE) {
                LOG.info("host '{}': ignored state seq {} (not newer than the last one)", host, doc.seq);
            } else if (outcome == StateIngest.Outcome.UNKNOWN_HOST) {
                LOG.warn("state_file for unknown host '{}' ignored; labdrop host add {} registers it", host, host);
            }
            metrics.stateIngested(Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /** A results/<id>/result.xml appeared or changed. Called by the result-ingest route. */
    public void resultChanged(String host, String requestId) {
        if (!Names.isValid(host) || !Names.isValid(requestId)) {
            return;
        }
        Path file = lab.drop().resultsDir(host, requestId).resolve("result.xml");
        long start = System.nanoTime();
        try (LogContext ignored = LogContext.request(host, requestId)) {
            readResult(file, host, requestId, start);
        }
    }

    private void readResult(Path file, String host, String requestId, long start) {
        read(file, host, limits.maxResultBytes(), () -> resultChanged(host, requestId), (bytes, key) -> {
            ResultDoc doc = DropXml.read(XmlFormat.RESULT, bytes, host + "/results/" + requestId + "/result.xml");
            CaseIntake cases = cases(file.resolveSibling(DropLayout.CASES_FILE), host, requestId, doc);
            List<Runnable> afterCommit = new ArrayList<>();
            lab.store().tx(h -> ResultIngest.apply(h, host, requestId, doc, cases, health, confirmations, afterCommit,
                    lab.now()));
            afterCommit.forEach(Runnable::run);
            metrics.resultIngested(Duration.ofNanos(System.nanoTime() - start));
        });
    }

    private CaseIntake cases(Path file, String host, String requestId, ResultDoc doc) {
        try {
            return CaseIntake.read(lab.drop().root(), file, host + "/results/" + requestId + "/" + DropLayout.CASES_FILE,
                    doc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The ids of the requests each host runs or was given and has not finished, by host. */
    @Override
    public Map<String, List<String>> awaitedResults() {
        return lab.store().read(RequestRows::activeIds);
    }

    /** The ids of the requests placed on {@code host} and unfinished: the server waits for their results. */
    @Override
    public List<String> awaitedResults(String host) {
        return lab.store().read(h -> RequestRows.activeOn(h, host)).stream().map(Request::id).toList();
    }

    /** Retries files that did not parse while they were still changing. Called by a timer route. */
    public void retryUnstable() {
        Map<Path, Runnable> due = Map.copyOf(unstable);
        due.forEach((path, retry) -> {
            if (isSettled(path)) {
                unstable.remove(path);
                retry.run();
            }
        });
    }

    /** True when the file changed since it was last applied (used by rescans to skip unchanged files). */
    public boolean changedSinceApplied(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return !Objects.equals(lastApplied.get(file), key(a));
        } catch (IOException e) {
            return false;
        }
    }

    private interface Apply {
        /** {@code key}: the file's identity as read (file key, size, time), kept as "last applied". */
        void apply(byte[] bytes, String key);
    }

    private void read(Path file, String host, long cap, Runnable again, Apply apply) {
        BasicFileAttributes before;
        try {
            before = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            byte[] bytes = SafeRead.read(lab.drop().root(), file, cap);
            String key = key(before);
            apply.apply(bytes, key);
            lastApplied.put(file, key);
            unstable.remove(file);
        } catch (NoSuchFileException gone) {
            unstable.remove(file);
        } catch (XmlRefusedException e) {
            if (!isSettled(file)) {
                unstable.put(file, again);
                LOG.debug("{} does not parse yet and is still changing; retrying once stable", file);
            } else {
                quarantine(file, host, e.getMessage());
            }
        } catch (BadInputException e) {
            quarantine(file, host, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        placer.drain();
    }

    private boolean isSettled(Path file) {
        try {
            Instant modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
            return Duration.between(modified, lab.clock().instant()).compareTo(limits.stableAfter()) >= 0;
        } catch (IOException e) {
            return true;
        }
    }

    private void quarantine(Path file, String host, String reason) {
        Path relative = lab.drop().hostDir(host).relativize(file);
        Path target = lab.drop().quarantineDir(host)
                .resolve(relative.toString().replace('/', '_') + "." + lab.clock().millis());
        String action = "quarantined as " + target.getFileName();
        try {
            if (insideDropThroughRealFolders(file)) {
                quarantine.keep(file, host, target);
            } else {
                action = "left in place (reached through a symbolic link; never moved or read)";
            }
        } catch (NoSuchFileException gone) {
            return;
        } catch (IOException e) {
            LOG.error("host '{}': cannot quarantine {}: {}", host, file, e.getMessage());
        }
        unstable.remove(file);
        String note = lab.now() + " " + relative + " " + action + ": " + reason;
        LOG.warn("host '{}': {}", host, note);
        lab.store().tx(h -> {
            if (HostRows.lock(h, host).isPresent()) {
                HostRows.update(h, host, "ingest_error", note.length() > 2000 ? note.substring(0, 2000) : note);
            }
            return null;
        });
    }

    private boolean insideDropThroughRealFolders(Path file) throws IOException {
        Path parent = file.toAbsolutePath().normalize().getParent();
        Path root = lab.drop().root();
        return parent.startsWith(root)
                && parent.toRealPath().equals(root.toRealPath().resolve(root.relativize(parent)));
    }

    /**
     * Takes each host's last applied state_file from the store, so the start-up scan skips the
     * state_files unchanged since the server last ran (at 50,000 hosts, over a minute of parsing).
     */
    public void loadAppliedStates() {
        lab.store().read(HostRows::stateKeys).forEach((host, key) -> lastApplied.put(lab.drop().stateFile(host), key));
    }

    private static String key(BasicFileAttributes a) {
        return a.fileKey() + "/" + a.size() + "/" + a.lastModifiedTime().toMillis();
    }
}
