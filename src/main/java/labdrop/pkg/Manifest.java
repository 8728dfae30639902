package labdrop.pkg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import labdrop.error.BadInputException;

/**
 * A repository's two index files. {@code packages.checksum} is Autotest's: {@code <md5>  <name>}
 * per line (md5sum output; {@code md5sum -c} reads it). {@code packages.manifest} is labdrop's:
 * name, size, SHA-256 and the offsets of the bzip2 streams, tab-separated.
 */
public record Manifest(Map<String, Entry> entries) {
    public static final String CHECKSUM_FILE = "packages.checksum";
    public static final String MANIFEST_FILE = "packages.manifest";
    private static final String HEADER = "# labdrop package manifest 1: name size sha256 bzip2-stream-offsets";

    /** One package of the repository. */
    public record Entry(String name, long size, String sha256, String md5, List<Long> streamOffsets) {
    }

    /** Autotest's packages.checksum text. */
    public String checksumText() {
        StringBuilder out = new StringBuilder();
        entries.values().forEach(e -> out.append(e.md5()).append("  ").append(e.name()).append('\n'));
        return out.toString();
    }

    /** labdrop's packages.manifest text. */
    public String manifestText() {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (Entry e : entries.values()) {
            out.append(e.name()).append('\t').append(e.size()).append('\t').append(e.sha256()).append('\t')
                    .append(String.join(",", e.streamOffsets().stream().map(String::valueOf).toList())).append('\n');
        }
        return out.toString();
    }

    /** Reads Autotest's checksum file: {@code <md5><whitespace><name>} per line, as md5sum writes it. */
    public static Map<String, String> parseChecksums(String text, String source) {
        Map<String, String> md5s = new TreeMap<>();
        int line = 0;
        for (String raw : text.split("\n")) {
            line++;
            String trimmed = raw.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split("\\s+\\*?", 2);
            if (parts.length != 2 || !parts[0].matches("[0-9a-fA-F]{32}")) {
                throw new BadInputException(source + ":" + line + ": not '<md5> <package file>' as md5sum writes it");
            }
            md5s.put(parts[1].strip(), parts[0].toLowerCase(Locale.ROOT));
        }
        return md5s;
    }

    /** Reads a repository folder's index; packages.manifest is optional (an Autotest repository has none). */
    static Manifest read(Path dir) throws IOException {
        Path checksum = dir.resolve(CHECKSUM_FILE);
        Path manifest = dir.resolve(MANIFEST_FILE);
        return parse(Files.exists(checksum) ? Files.readString(checksum, StandardCharsets.UTF_8) : "",
                Files.exists(manifest) ? Files.readString(manifest, StandardCharsets.UTF_8) : "", dir.toString());
    }

    /** Parses the two index files' texts (either may be empty); {@code source} names them in errors. */
    public static Manifest parse(String checksumText, String manifestText, String source) {
        Map<String, String> md5s = parseChecksums(checksumText, source + "/" + CHECKSUM_FILE);
        Map<String, Entry> entries = new TreeMap<>();
        for (String line : manifestText.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                throw new BadInputException(source + "/" + MANIFEST_FILE + ": line '" + line + "' is not name, size, sha256, offsets");
            }
            List<Long> offsets = f[3].isEmpty() ? List.of()
                    : Arrays.stream(f[3].split(",")).map(Long::parseLong).toList();
            entries.put(f[0], new Entry(f[0], Long.parseLong(f[1]), f[2], md5s.get(f[0]), offsets));
        }
        md5s.forEach((name, md5) -> entries.putIfAbsent(name, new Entry(name, -1, null, md5, List.of())));
        return new Manifest(entries);
    }

    /** This index with {@code added} entries replacing any of the same name. */
    public Manifest merge(List<Entry> added) {
        Map<String, Entry> map = new TreeMap<>(entries);
        added.forEach(e -> map.put(e.name(), e));
        return new Manifest(map);
    }

    static Manifest of(List<Entry> list) {
        Map<String, Entry> map = new TreeMap<>();
        list.forEach(e -> map.put(e.name(), e));
        return new Manifest(map);
    }
}
