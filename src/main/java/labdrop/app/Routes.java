package labdrop.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which Camel routes the server loads: the ones shipped in the jar ({@code routes/} on the class
 * path), each replaced by a file of the same name in {@code routes.dir} when an admin put one
 * there (docs/routes.md). An override that differs from the shipped file of this version is in
 * charge, and the server says so at every start, so a copy kept across an upgrade never rules
 * silently.
 */
public final class Routes {
    /** The route files in the jar (the source tree's routes/ folder; RoutesTest keeps the two alike). */
    public static final List<String> SHIPPED = List.of("server.yaml");
    private final List<String> includes;
    private final List<String> warnings;

    private Routes(List<String> includes, List<String> warnings) {
        this.includes = includes;
        this.warnings = warnings;
    }

    /** The routes for {@code overrideDir} (null: the shipped routes alone; a missing folder overrides nothing). */
    public static Routes of(Path overrideDir, String version) {
        List<String> overrides = yamlFiles(overrideDir);
        List<String> includes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String name : SHIPPED) {
            if (!overrides.contains(name)) {
                includes.add("classpath:routes/" + name);
            }
        }
        for (String name : overrides) {
            Path file = overrideDir.resolve(name);
            includes.add("file:" + file);
            byte[] shipped = shipped(name);
            if (shipped == null) {
                warnings.add("routes.dir: " + file + " adds routes to the ones shipped with labdrop " + version
                        + "; it is loaded as it is");
            } else if (!Arrays.equals(shipped, read(file))) {
                warnings.add("routes.dir: " + file + " differs from the routes/" + name + " shipped with labdrop " + version
                        + " and replaces it. If it is a copy kept from an older version, remove it (the shipped routes then"
                        + " apply); if it is yours, merge this version's changes (unzip -p /usr/share/labdrop/labdrop.jar routes/"
                        + name + ")");
            }
        }
        return new Routes(List.copyOf(includes), List.copyOf(warnings));
    }

    /** Camel's routes include pattern: the locations, comma-separated. */
    public String includePattern() {
        return String.join(",", includes);
    }

    /** One message per override that is in charge and not the shipped file of this version. */
    public List<String> warnings() {
        return warnings;
    }

    private static List<String> yamlFiles(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(f))
                    .map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list routes.dir " + dir + ": " + e.getMessage(), e);
        }
    }

    static byte[] shipped(String name) {
        try (InputStream in = Routes.class.getResourceAsStream("/routes/" + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
