package labdrop.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.drop.AtomicFiles;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.RequestDoc;
import labdrop.drop.xml.XmlFormat;

/**
 * The agent's side of fenced placements (docs/cluster.md): the nodes of a cluster write each
 * placement's epoch (issued by the store, one more for every placement on the host) into the
 * request file, and a request file whose epoch is older than the newest this host has seen is a
 * late write by a node that was paused while the work moved on. It is refused: not run, removed
 * from {@code current/}, and reported. The newest epoch seen is kept in
 * {@code <work.dir>/placement-epoch}, so a restart does not forget it. Files without an epoch (a
 * single server's) are never refused.
 */
final class PlacementFence {
    static final String FILE = "placement-epoch";
    private final Path work;

    PlacementFence(Path work) {
        this.work = work;
    }

    /** A request file refused as stale: its epoch and the newest seen. */
    record Stale(String id, long epoch, long newest) {
        String reason() {
            return "current/" + id + ".xml was refused: its placement epoch " + epoch + " is older than epoch " + newest
                    + " already placed on this host, so a server node wrote it late (it was paused while the work moved on;"
                    + " docs/cluster.md). It was not run and was removed";
        }
    }

    /**
     * Of the waiting request files in {@code current} (ids), the stale ones; records the newest
     * epoch among them and the one kept. A file that cannot be read is left to the run, which
     * reports it.
     */
    List<Stale> stale(Path current, List<String> waiting) throws IOException {
        Map<String, Long> epochs = new LinkedHashMap<>();
        long newest = newest();
        for (String id : waiting) {
            Long epoch = epochOf(current.resolve(id + ".xml"), id);
            if (epoch != null) {
                epochs.put(id, epoch);
                newest = Math.max(newest, epoch);
            }
        }
        if (newest > newest()) {
            AtomicFiles.write(work.resolve(FILE), (newest + "\n").getBytes(StandardCharsets.UTF_8));
        }
        List<Stale> stale = new ArrayList<>();
        for (Map.Entry<String, Long> e : epochs.entrySet()) {
            if (e.getValue() < newest) {
                stale.add(new Stale(e.getKey(), e.getValue(), newest));
            }
        }
        return stale;
    }

    /** The newest epoch kept; 0 when none was seen. */
    long newest() throws IOException {
        Path file = work.resolve(FILE);
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Long epochOf(Path file, String id) {
        try {
            RequestDoc doc = DropXml.read(XmlFormat.REQUEST, Files.readAllBytes(file), "current/" + id + ".xml");
            return doc.epoch;
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }
}
