package labdrop.gateway;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.Names;
import labdrop.drop.ResultFiles;
import labdrop.drop.SafeRead;
import labdrop.request.Request;

/**
 * One host's sync between the server's drop (over the lab's SFTP login) and the gateway's local
 * drop, in the order an agent keeps: first up (results, oldest request first and each
 * {@code result.xml} last, then {@code state_file}), then the requests the SUT finished are
 * deleted on the server, then down ({@code current/}, {@code config/}). Every local file is
 * replaced atomically, every remote one through a temporary name and posix-rename, and the
 * journal is saved after each step, so a sync cut anywhere (link down, SIGKILL) is finished by
 * the next one without a half file on either side and without a second push.
 */
final class HostSync {
    /** Largest file of current/ or config/ copied down (as an agent's own pull). */
    static final long MAX_FILE_BYTES = 1 << 20;
    private final String host;
    private final Path local;
    private final SyncJournal journal;
    private final Prefetch prefetch;
    /** Told right after this host's current/ or config/ changed here: the SUT's doorbell rings. */
    private final Runnable changedHere;
    /** The gateway's own folder for this host: the copy of state_file being sent. */
    private final Path outbox;
    /** Remote file to the listing stamp and content it had when last read: unchanged files are not read again. */
    private final Map<String, Cached> cache = new HashMap<>();
    /** Remote folders this process has cleared of temporaries a killed push may have left. */
    private final Set<String> swept = new HashSet<>();

    private record Cached(String stamp, byte[] bytes) {
    }

    /** What one sync did, for the log and the status. */
    record Outcome(int pushed, int placed, int removed, int unsent, boolean changedHere) {
        boolean changedAnything() {
            return pushed + placed + removed > 0 || changedHere;
        }
    }

    /** What must be in place before a request file is placed in the local drop (its packages, in the cache). */
    @FunctionalInterface
    interface Prefetch {
        /** True when the request may be placed now; false holds it back until a later sync. */
        boolean ready(Upstream s, String host, byte[] requestXml);
    }

    HostSync(String host, Path local, SyncJournal journal, Prefetch prefetch, Path outbox, Runnable changedHere) {
        this.host = host;
        this.changedHere = changedHere;
        this.outbox = outbox;
        this.local = local;
        this.journal = journal;
        this.prefetch = prefetch;
    }

    String host() {
        return host;
    }

    /**
     * Creates the local host folder with the folders a SUT expects, and removes what a killed
     * gateway may have left half-written in the folders only it writes ({@code current/}, {@code config/}).
     */
    static void prepare(Path local) throws IOException {
        for (String folder : List.of(DropLayout.CURRENT, DropLayout.CONFIG, DropLayout.RESULTS)) {
            Files.createDirectories(local.resolve(folder));
        }
        AtomicFiles.removeTemporaryFiles(local.resolve(DropLayout.CURRENT));
        AtomicFiles.removeTemporaryFiles(local.resolve(DropLayout.CONFIG));
    }

    /**
     * Before this process first writes into a remote folder: removes the temporaries there that a
     * push cut by a SIGKILL left behind (the file they were for is pushed again, whole). Only the
     * gateway writes its hosts' folders on the server, so every temporary there is its own.
     */
    private void sweep(Upstream s, String folder) throws IOException {
        if (swept.add(folder)) {
            s.sweep(folder);
        }
    }

    Outcome sync(Upstream s) throws IOException {
        prepare(local);
        String remote = "/" + host;
        int pushed = pushResults(s, remote);
        pushed += pushState(s, remote);
        Map<String, String> server = readFolder(s, remote + "/" + DropLayout.CURRENT, true);
        Map<String, String> here = localFolder(DropLayout.CURRENT, true);
        SyncPlan plan = SyncPlan.of(server, here, journal.known(), name -> resultWaiting(name));
        for (String name : plan.removeOnServer()) {
            s.remove(remote + "/" + DropLayout.CURRENT + "/" + name);
        }
        int placed = 0;
        Map<String, String> known = new TreeMap<>(plan.known());
        for (String name : plan.download()) {
            byte[] xml = bytes(remote + "/" + DropLayout.CURRENT + "/" + name);
            if (!prefetch.ready(s, host, xml)) {
                if (!here.containsKey(name)) {
                    known.remove(name);
                }
                continue;
            }
            AtomicFiles.write(local.resolve(DropLayout.CURRENT).resolve(name), xml);
            placed++;
        }
        for (String name : plan.deleteLocal()) {
            AtomicFiles.delete(local.resolve(DropLayout.CURRENT).resolve(name));
        }
        if (placed > 0 || !plan.deleteLocal().isEmpty()) {
            changedHere.run();
        }
        journal.known().clear();
        journal.known().putAll(known);
        journal.save();
        int configChanged = mirrorConfig(s, remote);
        if (configChanged > 0) {
            changedHere.run();
        }
        placed += configChanged;
        pruneResults(server.keySet());
        return new Outcome(pushed, placed, plan.removeOnServer().size(), unsent(), placed > 0 || !plan.deleteLocal().isEmpty());
    }

    /**
     * True when the SUT did something the server has not seen: wrote a file not yet pushed, or
     * deleted a request file (its run ended). A host with nothing pending and no change on the
     * server is skipped by a sync (its folders are not even listed).
     */
    boolean localPending() throws IOException {
        if (unsent() > 0) {
            return true;
        }
        return !localFolder(DropLayout.CURRENT, true).keySet().equals(journal.known().keySet());
    }

    /** The files the SUT wrote that have not reached the server yet. */
    int unsent() throws IOException {
        int count = 0;
        for (Path dir : resultFolders()) {
            String id = dir.getFileName().toString();
            for (ResultFiles.LocalFile file : ResultFiles.of(dir)) {
                if (!journal.wasPushed(resultKey(id, file), file.stamp())) {
                    count++;
                }
            }
        }
        Path state = local.resolve(DropLayout.STATE_FILE);
        if (Files.isRegularFile(state, LinkOption.NOFOLLOW_LINKS)
                && !journal.wasPushed(DropLayout.STATE_FILE, sha256(Files.readAllBytes(state)))) {
            count++;
        }
        return count;
    }

    private static String resultKey(String id, ResultFiles.LocalFile file) {
        return DropLayout.RESULTS + "/" + id + "/" + file.relative().replace('\\', '/');
    }

    /** The local results folders, oldest request first (by its number), so results reach the server in order. */
    private List<Path> resultFolders() throws IOException {
        List<Path> dirs = new ArrayList<>();
        Path results = local.resolve(DropLayout.RESULTS);
        if (!Files.isDirectory(results, LinkOption.NOFOLLOW_LINKS)) {
            return dirs;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(results)) {
            for (Path dir : entries) {
                String name = dir.getFileName().toString();
                if (Names.isValid(name) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(dir);
                }
            }
        }
        dirs.sort(Comparator.comparingLong((Path d) -> Request.numberOf(d.getFileName().toString()))
                .thenComparing(d -> d.getFileName().toString()));
        return dirs;
    }

    private int pushResults(Upstream s, String remote) throws IOException {
        int pushed = 0;
        for (Path dir : resultFolders()) {
            String id = dir.getFileName().toString();
            Set<String> made = new HashSet<>();
            for (ResultFiles.LocalFile file : ResultFiles.of(dir)) {
                String key = resultKey(id, file);
                if (journal.wasPushed(key, file.stamp())) {
                    continue;
                }
                String relative = file.relative().replace('\\', '/');
                int slash = relative.lastIndexOf('/');
                String target = remote + "/" + DropLayout.RESULTS + "/" + id + (slash < 0 ? "" : "/" + relative.substring(0, slash));
                if (made.add(target)) {
                    sweep(s, target);
                }
                if (!Files.isRegularFile(file.path(), LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                s.put(target, relative.substring(slash + 1), file.path());
                journal.pushed(key, file.stamp());
                journal.save();
                pushed++;
            }
        }
        return pushed;
    }

    private int pushState(Upstream s, String remote) throws IOException {
        Path state = local.resolve(DropLayout.STATE_FILE);
        if (!Files.isRegularFile(state, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        byte[] xml = SafeRead.read(local, state, MAX_FILE_BYTES);
        String sha = sha256(xml);
        if (journal.wasPushed(DropLayout.STATE_FILE, sha)) {
            return 0;
        }
        sweep(s, remote);
        // what was read is what is sent: the SUT may replace state_file meanwhile, and its next version goes next time
        Path sent = Files.createDirectories(outbox).resolve(DropLayout.STATE_FILE);
        Files.write(sent, xml);
        s.put(remote, DropLayout.STATE_FILE, sent);
        journal.pushed(DropLayout.STATE_FILE, sha);
        journal.save();
        return 1;
    }

    /** A request file whose request has a local result.xml not yet pushed: the server must get the result first. */
    private boolean resultWaiting(String fileName) {
        String id = fileName.endsWith(".xml") ? fileName.substring(0, fileName.length() - 4) : fileName;
        Path result = local.resolve(DropLayout.RESULTS).resolve(id).resolve(DropLayout.RESULT_FILE);
        try {
            return Files.isRegularFile(result, LinkOption.NOFOLLOW_LINKS)
                    && !journal.wasPushed(DropLayout.RESULTS + "/" + id + "/" + DropLayout.RESULT_FILE,
                            ResultFiles.of(result.getParent()).stream().filter(f -> f.relative().equals(DropLayout.RESULT_FILE))
                                    .findFirst().map(ResultFiles.LocalFile::stamp).orElse(""));
        } catch (IOException e) {
            return true;
        }
    }

    /** Mirrors config/ exactly: the server's files, nothing else. Returns how many local files changed. */
    private int mirrorConfig(Upstream s, String remote) throws IOException {
        String folder = remote + "/" + DropLayout.CONFIG;
        Map<String, String> server = readFolder(s, folder, false);
        Map<String, String> here = localFolder(DropLayout.CONFIG, false);
        int changed = 0;
        for (Map.Entry<String, String> e : server.entrySet()) {
            if (!e.getValue().equals(here.get(e.getKey()))) {
                AtomicFiles.write(local.resolve(DropLayout.CONFIG).resolve(e.getKey()), bytes(folder + "/" + e.getKey()));
                changed++;
            }
        }
        for (String name : here.keySet()) {
            if (!server.containsKey(name)) {
                AtomicFiles.delete(local.resolve(DropLayout.CONFIG).resolve(name));
                changed++;
            }
        }
        return changed;
    }

    /** Deletes the local results of requests that are over on both sides and whose every file reached the server. */
    private void pruneResults(Set<String> onServer) throws IOException {
        boolean forgot = false;
        for (Path dir : resultFolders()) {
            String id = dir.getFileName().toString();
            String file = id + ".xml";
            if (onServer.contains(file) || Files.exists(local.resolve(DropLayout.CURRENT).resolve(file), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            List<ResultFiles.LocalFile> files = ResultFiles.of(dir);
            boolean done = files.stream().anyMatch(f -> f.relative().equals(DropLayout.RESULT_FILE))
                    && files.stream().allMatch(f -> journal.wasPushed(resultKey(id, f), f.stamp()));
            if (done) {
                AtomicFiles.deleteTree(dir);
                journal.forgetResults(id);
                forgot = true;
            }
        }
        if (forgot) {
            journal.save();
        }
    }

    /** The regular files of a remote folder (request files only: *.xml), name to SHA-256; a missing folder is empty. */
    private Map<String, String> readFolder(Upstream s, String folder, boolean xmlOnly) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (Upstream.Entry entry : s.list(folder)) {
            String name = entry.name();
            if (name.startsWith(".") || (xmlOnly && !name.endsWith(".xml")) || !entry.file()
                    || !name.matches("[A-Za-z0-9._-]{1,255}")) {
                continue;
            }
            String path = folder + "/" + name;
            seen.add(path);
            Cached cached = cache.get(path);
            if (cached == null || !cached.stamp().equals(entry.stamp())) {
                byte[] bytes = s.read(path, MAX_FILE_BYTES);
                if (bytes == null) {
                    continue;
                }
                cached = new Cached(entry.stamp(), bytes);
                cache.put(path, cached);
            }
            out.put(name, sha256(cached.bytes()));
        }
        cache.keySet().removeIf(path -> path.startsWith(folder + "/") && !seen.contains(path));
        return out;
    }

    private byte[] bytes(String path) {
        return cache.get(path).bytes();
    }

    private Map<String, String> localFolder(String folder, boolean xmlOnly) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Path dir = local.resolve(folder);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || (xmlOnly && !name.endsWith(".xml"))
                        || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    out.put(name, sha256(SafeRead.read(local, file, MAX_FILE_BYTES)));
                } catch (NoSuchFileException gone) {
                    // deleted between the listing and the read
                }
            }
        }
        return out;
    }


    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
