package labdrop.ingest;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drop's change feed, with at most one inotify watch (JDK WatchService) per host: one on the
 * drop's root (hosts appear) and one on each host's folder, where the agent renames its state_file.
 * The limit on a user's watches therefore caps nothing below its own number of hosts, and noticing
 * a change costs the same with 10 or 50,000 hosts.
 * <p>
 * An agent pushes a request's result.xml before the state_file that says the request is over, so a
 * state_file change also reads the results of the requests the server waits for on that host (a
 * few at most, whatever the lab's size) before the state, and {@link #pollResults} looks at them
 * every {@code ingest.result-poll-interval} for an agent that pushes nothing after its result: no
 * watch per result folder is needed.
 * The config/ folders are not watched either: an edit through the server applies at once
 * ({@link ConfigWatch#write}); a file changed directly on disk is found by {@link #sweepConfig},
 * every {@code ingest.config-sweep-interval}.
 * <p>
 * A full {@link #rescan}, at start-up (in the background: the server serves meanwhile, and every
 * host is watched before its files are read, so no change between the two is missed), on an event
 * overflow and on the rescan timer, covers what inotify cannot see (NFS, lost events, a watch the
 * system refused).
 */
public final class DropWatcher implements Closeable {
    /** Where changes go; the server sends each to a Camel direct: route. */
    public interface Listener {
        void stateChanged(String host);

        void resultChanged(String host, String requestId);

        void configChanged(String host, String file);
    }

    /** The results the server waits for: the requests placed on a host and not finished. */
    public interface Awaited {
        /** The ids awaited from one host. */
        List<String> awaitedResults(String host);

        /** The ids awaited from every host, by host (one read for a whole rescan). */
        Map<String, List<String>> awaitedResults();
    }

    private record Watched(String host, Path dir) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DropWatcher.class);
    /** Spreads a config file's name, size and time over a long; the prints of the files are summed (any order). */
    private static final long MIX = 0x9E3779B97F4A7C15L;
    /** Threads of a full scan. */
    private static final int SCAN_THREADS = 4;
    private final DropLayout drop;
    private final Listener listener;
    private final Predicate<Path> changedSinceApplied;
    private final Awaited awaited;
    private final Map<WatchKey, Watched> keys = new ConcurrentHashMap<>();
    private final Set<String> watchedHosts = ConcurrentHashMap.newKeySet();
    /** Per host, a print of config/'s file names, sizes and times when last read. */
    private final Map<String, Long> configPrints = new ConcurrentHashMap<>();
    private final boolean watching;
    /** Hosts whose writes through the SSH server wait to be read. */
    private final Set<String> writtenHosts = ConcurrentHashMap.newKeySet();
    private final ExecutorService writes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "labdrop-ssh-writes");
        t.setDaemon(true);
        return t;
    });
    private WatchService service;
    private WatchKey rootKey;
    private Thread thread;

    /**
     * {@code watch}: false keeps inotify off (a shared NFS drop, where it sees only this machine's
     * writes): then the start-up scan, {@link #written}, {@link #pollResults} and {@link #rescan}
     * find the changes.
     */
    public DropWatcher(DropLayout drop, Listener listener, Predicate<Path> changedSinceApplied, Awaited awaited,
                       boolean watch) {
        this.watching = watch;
        this.drop = drop;
        this.listener = listener;
        this.changedSinceApplied = changedSinceApplied;
        this.awaited = awaited;
    }

    /** Watches the drop and starts the first full scan in the background; returns at once. */
    public void start() throws IOException {
        Files.createDirectories(drop.root());
        if (watching) {
            service = drop.root().getFileSystem().newWatchService();
            rootKey = drop.root().register(service, ENTRY_CREATE);
        }
        thread = new Thread(this::run, "labdrop-drop-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Watches every host folder not yet watched and reports every file changed since last applied.
     * A host that cannot be scanned (or watched: the system's inotify limit) is logged and the rest
     * go on; its files are still read, so the rescan timer covers it.
     */
    public void rescan() {
        scan(true);
    }

    /** The rescan; without {@code config} the config/ folders are left to {@link #sweepConfig}. */
    private void scan(boolean config) {
        Map<String, List<String>> waiting = awaited.awaitedResults();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> hosts = Files.newDirectoryStream(drop.root())) {
            for (Path hostDir : hosts) {
                String host = hostDir.getFileName().toString();
                if (Names.isValid(host)) {
                    names.add(host);
                }
            }
        } catch (IOException e) {
            LOG.error("rescan of the drop {} failed: {}", drop.root(), e.getMessage());
            return;
        }
        // Several threads at once: each watch is registered through the JDK's one inotify thread,
        // which takes the requests of all waiting threads per wake-up (docs/performance.md, "50,000 hosts").
        ExecutorService threads = Executors.newFixedThreadPool(SCAN_THREADS, r -> {
            Thread t = new Thread(r, "labdrop-drop-scan");
            t.setDaemon(true);
            return t;
        });
        try {
            int slice = (names.size() + SCAN_THREADS - 1) / SCAN_THREADS;
            List<Future<?>> done = new ArrayList<>();
            for (int from = 0; from < names.size(); from += slice) {
                List<String> part = names.subList(from, Math.min(names.size(), from + slice));
                done.add(threads.submit(() -> part.forEach(host -> {
                    if (Files.isDirectory(drop.hostDir(host), LinkOption.NOFOLLOW_LINKS)) {
                        safely(() -> {
                            scanHost(host, waiting.getOrDefault(host, List.of()), true, config);
                            return null;
                        });
                    }
                })));
            }
            for (Future<?> part : done) {
                part.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.error("rescan of the drop {} failed: {}", drop.root(), e.getCause().getMessage(), e.getCause());
        } finally {
            threads.shutdown();
        }
    }

    /** The inotify watches held: the drop's root and one per host folder. */
    public int watchCount() {
        return keys.size() + (rootKey == null ? 0 : 1);
    }

    private void scanHost(String host, List<String> waiting, boolean onlyChanged, boolean config) throws IOException {
        watch(host);
        if (config) {
            readConfig(host, onlyChanged);
        }
        readResults(host, waiting, onlyChanged);
        Path state = drop.stateFile(host);
        if (Files.exists(state, LinkOption.NOFOLLOW_LINKS) && (!onlyChanged || changedSinceApplied.test(state))) {
            safely(() -> listener.stateChanged(host));
        }
    }

    /**
     * Reads the result.xml of every request placed on a host and not finished, when it changed:
     * an agent may push its result and nothing after it, and result folders are not watched. A
     * stat per running request, whatever the number of hosts; the result-poll route calls it every
     * {@code ingest.result-poll-interval}.
     */
    public void pollResults() {
        awaited.awaitedResults().forEach((host, ids) -> readResults(host, ids, true));
    }

    /**
     * Finds config files changed directly on disk (the config/ folders are not watched): every host
     * whose config/ changed since the last look has its files reported; the config-sweep route
     * calls it every {@code ingest.config-sweep-interval}. Costs a folder read and a stat per file.
     */
    public void sweepConfig() {
        try (DirectoryStream<Path> hosts = Files.newDirectoryStream(drop.root())) {
            for (Path hostDir : hosts) {
                String host = hostDir.getFileName().toString();
                if (Names.isValid(host) && Files.isDirectory(hostDir, LinkOption.NOFOLLOW_LINKS)) {
                    safely(() -> {
                        readConfig(host, true);
                        return null;
                    });
                }
            }
        } catch (IOException e) {
            LOG.error("config sweep of the drop {} failed: {}", drop.root(), e.getMessage());
        }
    }

    /**
     * Reports the files in {@code host}'s config/ folder: all of them, or with {@code onlyChanged}
     * only when the folder's names, sizes or times differ from the last look (a print per host).
     */
    private void readConfig(String host, boolean onlyChanged) throws IOException {
        Path config = drop.configDir(host);
        if (!Files.isDirectory(config, LinkOption.NOFOLLOW_LINKS)) {
            configPrints.remove(host);
            return;
        }
        List<String> names = new ArrayList<>();
        long print = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(AtomicFiles.TEMP_PREFIX)) {
                    continue; // a write under way (this node's or another's): its rename is the change
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue; // removed since it was listed
                }
                long h = name.hashCode() * MIX + a.size();
                h = (h * MIX + a.lastModifiedTime().to(TimeUnit.NANOSECONDS)) * MIX;
                print += h ^ (h >>> 29);
                names.add(name);
            }
        }
        Long before = configPrints.put(host, print);
        if (!onlyChanged || before == null || before != print) {
            names.forEach(name -> notifyConfig(host, name));
        }
    }

    /** Reports the result.xml of each awaited request of {@code host} that is there and changed. */
    private void readResults(String host, List<String> waiting, boolean onlyChanged) {
        for (String id : waiting) {
            if (Names.isValid(id)) {
                Path result = drop.resultsDir(host, id).resolve(DropLayout.RESULT_FILE);
                if (Files.exists(result, LinkOption.NOFOLLOW_LINKS) && (!onlyChanged || changedSinceApplied.test(result))) {
                    safely(() -> listener.resultChanged(host, id));
                }
            }
        }
    }

    /** Watches a host's folder once; a watch the system refuses (its inotify limit) is logged and left to the rescan. */
    private void watch(String host) {
        if (!watching || !watchedHosts.add(host)) {
            return;
        }
        Path dir = drop.hostDir(host);
        try {
            keys.put(dir.register(service, ENTRY_CREATE, ENTRY_MODIFY), new Watched(host, dir));
        } catch (IOException e) {
            watchedHosts.remove(host);
            LOG.warn("cannot watch {} ({}); the rescan (ingest.rescan-interval) reads it instead", dir, e.getMessage());
        }
    }

    /**
     * The watcher's thread: the start-up scan of every host's state and awaited results first (what
     * agents wait on), then every config/ folder, then the change events queued meanwhile.
     */
    private void run() {
        long t0 = System.nanoTime();
        scan(false);
        long t1 = System.nanoTime();
        sweepConfig();
        LOG.info("drop scanned: {} hosts watched, their states and results read in {} ms, config folders in {} ms",
                keys.size(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        if (watching) {
            loop();
        }
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = service.take();
                Watched watched = keys.get(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == OVERFLOW) {
                        LOG.warn("change events overflowed; rescanning the drop");
                        rescan();
                    } else if (key == rootKey) {
                        hostAppeared(((Path) event.context()).toString());
                    } else if (watched != null) {
                        handle(watched.host(), event.kind(), ((Path) event.context()).toString());
                    }
                }
                if (!key.reset() && watched != null) {
                    keys.remove(key);
                    watchedHosts.remove(watched.host());
                    configPrints.remove(watched.host());
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            LOG.debug("drop watcher stopped");
        }
    }

    private void hostAppeared(String name) {
        if (Names.isValid(name) && Files.isDirectory(drop.hostDir(name), LinkOption.NOFOLLOW_LINKS)) {
            safely(() -> {
                scanHost(name, awaited.awaitedResults(name), false, true);
                return null;
            });
        }
    }

    private void handle(String host, WatchEvent.Kind<?> kind, String name) {
        safely(() -> {
            if (name.equals(DropLayout.STATE_FILE)) {
                readResults(host, awaited.awaitedResults(host), true);
                listener.stateChanged(host);
            } else if (kind == ENTRY_CREATE && name.equals(DropLayout.CONFIG)) {
                scanHost(host, List.of(), false, true);
            }
            return null;
        });
    }

    /**
     * A SUT finished writing its state_file or a result.xml through this server's SSH server (an
     * SFTP close or rename, the end of an rsync push): its changed results and state are read at
     * once, on the writes thread, so the SUT's session does not wait for the ingest. Writes of a
     * host that arrive while it waits are read together. The watcher and the rescan still see the
     * same files; what was applied already (here or by another node) is skipped.
     */
    public void written(String host) {
        if (!Names.isValid(host) || !writtenHosts.add(host)) {
            return;
        }
        try {
            writes.execute(() -> {
                writtenHosts.remove(host);
                safely(() -> {
                    readResults(host, awaited.awaitedResults(host), true);
                    if (changedSinceApplied.test(drop.stateFile(host))) {
                        listener.stateChanged(host);
                    }
                    return null;
                });
            });
        } catch (RejectedExecutionException stopping) {
            writtenHosts.remove(host);
        }
    }

    private void notifyConfig(String host, String file) {
        if (Names.isValid(file)) {
            safely(() -> listener.configChanged(host, file));
        }
    }

    private interface Step {
        Object run() throws IOException;
    }

    private void safely(Step step) {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            LOG.error("drop change could not be handled: {}", e.getMessage(), e);
        }
    }

    private void safely(Runnable step) {
        safely(() -> {
            step.run();
            return null;
        });
    }

    @Override
    public void close() throws IOException {
        writes.shutdownNow();
        if (service != null) {
            service.close();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
