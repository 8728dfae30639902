package labdrop.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import labdrop.drop.AtomicFiles;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.error.NotFoundException;

/**
 * The host-types folder: one file of default directions per type (like LAVA's device types).
 * A type named {@code default} is created on first use so a fresh server can add hosts at once.
 */
public final class HostTypes {
    public static final String DEFAULT = "default";
    private final Path dir;

    public HostTypes(Path dir) {
        this.dir = dir;
    }

    public void ensureDefault() throws IOException {
        Path file = dir.resolve(DEFAULT);
        if (!Files.exists(file)) {
            AtomicFiles.write(file, Directions.defaultsText().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The directions text of {@code type}, checked; refuses a missing or invalid type file. */
    public String directionsOf(String type) throws IOException {
        Names.require("host type", type);
        Path file = dir.resolve(type);
        if (!Files.isRegularFile(file)) {
            throw new NotFoundException("host type '" + type + "' does not exist: no file " + file
                    + ". Known types: " + String.join(", ", list()) + ". Create the file (key = value"
                    + " directions, see docs/directions.md) or pick a known type");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Directions.Parsed parsed = Directions.parse(file.toString(), text);
        if (!parsed.isValid()) {
            throw new BadInputException("host type '" + type + "' is invalid: " + String.join("; ", parsed.problems()));
        }
        return text;
    }

    public List<String> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(Names::isValid).sorted().toList();
        }
    }
}
