package labdrop.ops;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.lab.Lab;
import labdrop.store.PlacementRows;

/** The readiness probes of the lab itself (docs/operations.md); the SSH server adds its own. */
public final class LabProbes {
    private static final long MIB = 1024 * 1024;

    private LabProbes() {
    }

    /** The store answers a query. */
    public static Readiness.Probe store(Lab lab) {
        return () -> {
            lab.store().read(h -> h.createQuery("select 1").mapTo(Integer.class).one());
            return null;
        };
    }

    /** A file can be written into the drop's top folder and removed again. */
    public static Readiness.Probe drop(Path drop) {
        return () -> {
            try {
                Path probe = Files.createTempFile(drop, ".readyz-", ".tmp");
                Files.delete(probe);
                return null;
            } catch (IOException e) {
                return "cannot write into the drop " + drop + " (" + e.getClass().getSimpleName() + ": "
                        + e.getMessage() + "); SUTs' reports and placements need it writable";
            }
        };
    }

    /** Each filesystem of {@code folders} has at least {@code minFree} bytes free (ready.min-free-bytes). */
    public static Readiness.Probe disk(List<Path> folders, long minFree) {
        return () -> {
            Map<FileStore, Path> stores = new LinkedHashMap<>();
            for (Path folder : folders) {
                stores.putIfAbsent(Files.getFileStore(folder), folder);
            }
            for (Map.Entry<FileStore, Path> e : stores.entrySet()) {
                long free = e.getKey().getUsableSpace();
                if (free < minFree) {
                    return "the filesystem of " + e.getValue() + " has " + free / MIB + " MiB free, below ready.min-free-bytes ("
                            + minFree / MIB + " MiB); free space there or lower the limit";
                }
            }
            return null;
        };
    }

    /** No placement has waited in the outbox longer than {@code maxLag} (ready.max-placer-lag). */
    public static Readiness.Probe placer(Lab lab, Duration maxLag) {
        return () -> {
            Optional<Instant> oldest = lab.store().read(PlacementRows::oldestPending);
            if (oldest.isEmpty()) {
                return null;
            }
            Duration waited = Duration.between(oldest.get(), lab.now());
            return waited.compareTo(maxLag) <= 0 ? null : "a placement has waited " + waited.toSeconds()
                    + " s in the outbox, longer than ready.max-placer-lag (" + maxLag.toSeconds()
                    + " s): the placer is stuck or cannot write the drop; see the server log";
        };
    }
}
