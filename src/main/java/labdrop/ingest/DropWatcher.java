package labdrop.ingest;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import labdrop.drop.DropLayout;
import labdrop.drop.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drop's change feed: one inotify watch (JDK WatchService) per host folder, config folder and
 * results folder, and one per result folder of a request the server waits for (at most
 * {@link #RESULT_WATCHES_PER_HOST} per host, the oldest dropped), so noticing a change costs the
 * same with 10 or 10,000 hosts and no SUT can use up the watches by making folders.
 * Every state_file rename or rewrite, result.xml and config file change is passed to the
 * {@link Listener} (the Camel routes). A full {@link #rescan} at start-up, on an event overflow and
 * on the rescan timer covers what inotify cannot see (NFS, lost events).
 */
public final class DropWatcher implements Closeable {
    /** Where changes go; the server sends each to a Camel direct: route. */
    public interface Listener {
        void stateChanged(String host);

        void resultChanged(String host, String requestId);

        void configChanged(String host, String file);
    }

    private enum Kind { ROOT, HOST, CONFIG, RESULTS, RESULT }

    private record Watched(Kind kind, String host, String requestId, Path dir) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DropWatcher.class);
    private final DropLayout drop;
    private final Listener listener;
    /** Result folders watched at once per host; a host runs one request at a time. */
    static final int RESULT_WATCHES_PER_HOST = 4;
    private final Predicate<Path> changedSinceApplied;
    private final BiPredicate<String, String> awaitsResult;
    private final Map<String, Deque<WatchKey>> resultWatches = new ConcurrentHashMap<>();
    private final Map<WatchKey, Watched> keys = new ConcurrentHashMap<>();
    private final Set<Path> registered = ConcurrentHashMap.newKeySet();
    private WatchService service;
    private Thread thread;

    /**
     * {@code awaitsResult(host, id)} says whether the server waits for that request's result (it is
     * placed on the host and unfinished): only such a result folder gets a watch of its own.
     */
    public DropWatcher(DropLayout drop, Listener listener, Predicate<Path> changedSinceApplied,
                       BiPredicate<String, String> awaitsResult) {
        this.drop = drop;
        this.listener = listener;
        this.changedSinceApplied = changedSinceApplied;
        this.awaitsResult = awaitsResult;
    }

    public void start() throws IOException {
        Files.createDirectories(drop.root());
        service = drop.root().getFileSystem().newWatchService();
        register(new Watched(Kind.ROOT, null, null, drop.root()));
        thread = new Thread(this::loop, "labdrop-drop-watcher");
        thread.setDaemon(true);
        thread.start();
        rescan();
    }

    /**
     * Registers every host folder not yet watched and reports every file changed since last applied.
     * A host that cannot be scanned (or watched: the system's inotify limit) is logged and the rest
     * go on; its files are still read, so the rescan timer covers it.
     */
    public void rescan() {
        try (DirectoryStream<Path> hosts = Files.newDirectoryStream(drop.root())) {
            for (Path hostDir : hosts) {
                String host = hostDir.getFileName().toString();
                if (Names.isValid(host) && Files.isDirectory(hostDir, LinkOption.NOFOLLOW_LINKS)) {
                    safely(() -> {
                        scanHost(host, true);
                        return null;
                    });
                }
            }
        } catch (IOException e) {
            LOG.error("rescan of the drop {} failed: {}", drop.root(), e.getMessage());
        }
    }

    public int watchCount() {
        return keys.size();
    }

    private void scanHost(String host, boolean onlyChanged) throws IOException {
        register(new Watched(Kind.HOST, host, null, drop.hostDir(host)));
        Path config = drop.configDir(host);
        if (Files.isDirectory(config, LinkOption.NOFOLLOW_LINKS)) {
            register(new Watched(Kind.CONFIG, host, null, config));
            try (DirectoryStream<Path> files = Files.newDirectoryStream(config)) {
                for (Path file : files) {
                    notifyConfig(host, file.getFileName().toString());
                }
            }
        }
        Path results = drop.hostDir(host).resolve(DropLayout.RESULTS);
        if (Files.isDirectory(results, LinkOption.NOFOLLOW_LINKS)) {
            register(new Watched(Kind.RESULTS, host, null, results));
            try (DirectoryStream<Path> ids = Files.newDirectoryStream(results)) {
                for (Path dir : ids) {
                    scanResult(host, dir.getFileName().toString(), onlyChanged);
                }
            }
        }
        Path state = drop.stateFile(host);
        if (Files.exists(state, LinkOption.NOFOLLOW_LINKS) && (!onlyChanged || changedSinceApplied.test(state))) {
            safely(() -> listener.stateChanged(host));
        }
    }

    private void scanResult(String host, String id, boolean onlyChanged) throws IOException {
        if (!Names.isValid(id)) {
            return;
        }
        Path dir = drop.resultsDir(host, id);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (awaitsResult.test(host, id)) {
            watchResult(new Watched(Kind.RESULT, host, id, dir));
        }
        Path result = dir.resolve(DropLayout.RESULT_FILE);
        if (Files.exists(result, LinkOption.NOFOLLOW_LINKS) && (!onlyChanged || changedSinceApplied.test(result))) {
            safely(() -> listener.resultChanged(host, id));
        }
    }

    /** Watches a folder once; a watch the system refuses (its inotify limit) is logged and left to the rescan. */
    private WatchKey register(Watched watched) {
        if (!registered.add(watched.dir())) {
            return null;
        }
        try {
            WatchKey key = watched.dir().register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
            keys.put(key, watched);
            return key;
        } catch (IOException e) {
            registered.remove(watched.dir());
            LOG.warn("cannot watch {} ({}); the rescan (ingest.rescan-interval) reads it instead", watched.dir(),
                    e.getMessage());
            return null;
        }
    }

    private void watchResult(Watched watched) {
        WatchKey key = register(watched);
        if (key == null) {
            return;
        }
        Deque<WatchKey> watches = resultWatches.computeIfAbsent(watched.host(), h -> new ArrayDeque<>());
        WatchKey oldest = null;
        synchronized (watches) {
            watches.addLast(key);
            if (watches.size() > RESULT_WATCHES_PER_HOST) {
                oldest = watches.removeFirst();
            }
        }
        if (oldest != null) {
            Watched gone = keys.remove(oldest);
            oldest.cancel();
            if (gone != null) {
                registered.remove(gone.dir());
            }
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
                    } else if (watched != null) {
                        handle(watched, event.kind(), ((Path) event.context()).toString());
                    }
                }
                if (!key.reset()) {
                    Watched gone = keys.remove(key);
                    if (gone != null) {
                        registered.remove(gone.dir());
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            LOG.debug("drop watcher stopped");
        }
    }

    private void handle(Watched w, WatchEvent.Kind<?> kind, String name) {
        if (name.startsWith(".")) {
            return;
        }
        boolean created = kind == ENTRY_CREATE;
        safely(() -> {
            switch (w.kind()) {
                case ROOT -> {
                    if (created && Names.isValid(name) && Files.isDirectory(w.dir().resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                        scanHost(name, false);
                    }
                }
                case HOST -> {
                    if (name.equals(DropLayout.STATE_FILE) && kind != ENTRY_DELETE) {
                        listener.stateChanged(w.host());
                    } else if (created && (name.equals(DropLayout.CONFIG) || name.equals(DropLayout.RESULTS))) {
                        scanHost(w.host(), false);
                    }
                }
                case CONFIG -> notifyConfig(w.host(), name);
                case RESULTS -> {
                    if (created) {
                        scanResult(w.host(), name, false);
                    }
                }
                case RESULT -> {
                    if (name.equals(DropLayout.RESULT_FILE) && kind != ENTRY_DELETE) {
                        listener.resultChanged(w.host(), w.requestId());
                    }
                }
                default -> throw new IllegalStateException("unknown watch kind " + w.kind());
            }
            return null;
        });
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
        if (service != null) {
            service.close();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
