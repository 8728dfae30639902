package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;

/** The agent's local copy of its host folder's config/ and current/. */
final class Mirror {
    private Mirror() {
    }

    /** Empties (or creates) {@code mirror/config} and {@code mirror/current}. */
    static void reset(Path mirror) throws IOException {
        for (String folder : List.of(DropLayout.CONFIG, DropLayout.CURRENT)) {
            Path dir = mirror.resolve(folder);
            AtomicFiles.deleteTree(dir);
            Files.createDirectories(dir);
        }
    }
}
