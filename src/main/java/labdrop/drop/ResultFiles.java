package labdrop.drop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of one {@code results/<id>/} folder in the order they are pushed: {@code result.xml}
 * last, because whoever reads it (the server) takes it as the end of the run. Regular files only
 * (links are neither followed nor listed), no dot-files (temporaries).
 */
public final class ResultFiles {
    private ResultFiles() {
    }

    /** A regular file of a results folder, by its path relative to that folder. */
    public record LocalFile(Path path, String relative, long size, FileTime modified) {
        /** What changes when the file does: its size and modification time. */
        public String stamp() {
            return size + "@" + modified.toMillis();
        }
    }

    /** Every regular file under {@code dir}, result.xml last; none when the folder is missing. */
    public static List<LocalFile> of(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
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
