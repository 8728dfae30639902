package labdrop.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import labdrop.drop.AtomicFiles;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.error.NotFoundException;

/**
 * The host-types folder: one file per type (like LAVA's device types) with the directions its
 * hosts start with and the type's health check.
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
            AtomicFiles.write(file, Directions.typeDefaultsText().getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The directions a new host of {@code type} starts with: the type's file, checked, without its
     * type-only keys; refuses a missing or invalid type file.
     */
    public String directionsOf(String type) throws IOException {
        return Directions.hostPart(read(type).text());
    }

    /**
     * The type-only settings of {@code type} ({@link Directions#TYPE_KEYS}), each with its default
     * when the file leaves it out; refuses a missing or invalid type file.
     */
    public Map<String, String> typeSettings(String type) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        Directions.TYPE_KEYS.forEach(k -> values.put(k.name(), k.defaultValue()));
        Directions.Parsed parsed = read(type).parsed();
        Directions.TYPE_KEYS.forEach(k -> {
            if (parsed.values().containsKey(k.name())) {
                values.put(k.name(), parsed.values().get(k.name()));
            }
        });
        return values;
    }

    private record TypeFile(String text, Directions.Parsed parsed) {
    }

    private TypeFile read(String type) throws IOException {
        Names.require("host type", type);
        Path file = dir.resolve(type);
        if (!Files.isRegularFile(file)) {
            throw new NotFoundException("host type '" + type + "' does not exist: no file " + file
                    + ". Known types: " + String.join(", ", list()) + ". Create the file (key = value"
                    + " directions, see docs/directions.md) or pick a known type");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Directions.Parsed parsed = Directions.parseType(file.toString(), text);
        if (!parsed.isValid()) {
            throw new BadInputException("host type '" + type + "' is invalid: " + String.join("; ", parsed.problems()));
        }
        return new TypeFile(text, parsed);
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
