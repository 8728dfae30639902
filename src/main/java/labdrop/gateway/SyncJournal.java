package labdrop.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import labdrop.drop.AtomicFiles;

/**
 * What the gateway has done for one host, kept on disk so a restart (or a SIGKILL) resumes
 * without losing or repeating anything: the request files of {@code current/} it placed in the
 * local drop (by SHA-256), and the stamp (size and mtime) of every file it pushed to the server
 * ({@code state_file}, {@code results/<id>/…}). Saved with {@link AtomicFiles} after each step, so
 * what it records has happened and a step it lacks is done again (the same bytes, replaced atomically).
 */
final class SyncJournal {
    private static final String KNOWN = "known.";
    private static final String PUSHED = "pushed.";
    private final Path file;
    private final Map<String, String> known = new TreeMap<>();
    private final Map<String, String> pushed = new TreeMap<>();

    private SyncJournal(Path file) {
        this.file = file;
    }

    static SyncJournal load(Path file) throws IOException {
        SyncJournal journal = new SyncJournal(file);
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException none) {
            return journal;
        }
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(KNOWN)) {
                journal.known.put(key.substring(KNOWN.length()), p.getProperty(key));
            } else if (key.startsWith(PUSHED)) {
                journal.pushed.put(key.substring(PUSHED.length()), p.getProperty(key));
            }
        }
        return journal;
    }

    void save() throws IOException {
        Properties p = new Properties();
        known.forEach((k, v) -> p.setProperty(KNOWN + k, v));
        pushed.forEach((k, v) -> p.setProperty(PUSHED + k, v));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.store(out, "labdrop gateway: what was synced for this host (do not edit)");
        AtomicFiles.write(file, out.toByteArray());
    }

    /** The request files placed locally, name to SHA-256. */
    Map<String, String> known() {
        return known;
    }

    boolean wasPushed(String path, String stamp) {
        return stamp.equals(pushed.get(path));
    }

    void pushed(String path, String stamp) {
        pushed.put(path, stamp);
    }

    /** Forgets what was pushed of {@code results/<id>/} once that folder is gone locally. */
    void forgetResults(String requestId) {
        pushed.keySet().removeIf(k -> k.startsWith("results/" + requestId + "/"));
    }

    /** The request ids with pushed results. */
    Set<String> pushedResults() {
        Set<String> ids = new TreeSet<>();
        pushed.keySet().stream().filter(k -> k.startsWith("results/")).map(k -> k.split("/")[1]).forEach(ids::add);
        return ids;
    }
}
