package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import labdrop.drop.AtomicFiles;

/**
 * {@code <work.dir>/journal.json}: holds the journal as last written, and writes every change
 * atomically (temporary file, fsync, rename) before the caller goes on. After a kill -9 or a reboot
 * the next poll reads it and resumes.
 */
final class JournalFile {
    static final String FILE = "journal.json";

    /** How the bytes reach the disk. */
    @FunctionalInterface
    interface Writer {
        void write(Path file, byte[] content) throws IOException;
    }

    private final Path file;
    private final Writer writer;
    private Journal current;

    private JournalFile(Path file, Writer writer, Journal current) {
        this.file = file;
        this.writer = writer;
        this.current = current;
    }

    static JournalFile open(Path workDir) throws IOException {
        return open(workDir, AtomicFiles::write);
    }

    /** The journal in {@code workDir} (empty when there is none), written from now on through {@code writer}. */
    static JournalFile open(Path workDir, Writer writer) throws IOException {
        Path file = workDir.resolve(FILE);
        if (!Files.exists(file)) {
            return new JournalFile(file, writer, Journal.empty());
        }
        try {
            return new JournalFile(file, writer, JournalJson.read(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new IOException(file + " cannot be read (" + e.getMessage() + "); the agent will not guess what"
                    + " it was doing. Look at it, then move it away to start afresh", e);
        }
    }

    Journal current() {
        return current;
    }

    /** Writes the changed journal; once this returns, a crash resumes from it. */
    Journal update(UnaryOperator<Journal> change) throws IOException {
        Journal next = change.apply(current);
        writer.write(file, JournalJson.write(next));
        current = next;
        return next;
    }
}
