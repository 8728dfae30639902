package labdrop.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;

/** The agent's local copy of its host folder's config/ and current/, and the files of a results folder. */
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

    /** A regular file of a local results folder, by its path relative to that folder. */
    record LocalFile(Path path, String relative, long size, FileTime modified) {
    }

    /** Every regular file under {@code dir}, result.xml last (the server reads it as the end of the run). */
    static List<LocalFile> resultFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .map(p -> {
                        try {
                            return new LocalFile(p, dir.relativize(p).toString(), Files.size(p),
                                    Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sorted(Comparator.comparing((LocalFile f) -> f.relative().equals(DropLayout.RESULT_FILE))
                            .thenComparing(LocalFile::relative))
                    .toList();
        }
    }
}
