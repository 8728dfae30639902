package labdrop.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The API's paths and the methods each one answers, read from the OpenAPI file the server
 * publishes, so that file is the one list: a path it names with another method answers 405
 * with {@code Allow}, a path it does not name answers 404.
 */
final class ApiPaths {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private final List<Entry> entries;

    /** A path template as a pattern with one segment per parameter, and one whose last parameter takes the rest (a log name). */
    private record Entry(Pattern path, Pattern rest, Set<String> methods) {
    }

    private ApiPaths(List<Entry> entries) {
        this.entries = entries;
    }

    /** The paths of the OpenAPI file on the class path ({@code /openapi.yaml}). */
    static ApiPaths load() {
        try (InputStream in = ApiPaths.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the class path");
            }
            Map<?, ?> doc = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
            List<Entry> entries = new ArrayList<>();
            ((Map<?, ?>) doc.get("paths")).forEach((template, operations) -> {
                Set<String> methods = new TreeSet<>();
                ((Map<?, ?>) operations).keySet().stream().map(String::valueOf).filter(METHODS::contains)
                        .forEach(m -> methods.add(m.toUpperCase(Locale.ROOT)));
                String regex = Pattern.quote(String.valueOf(template)).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
                String rest = String.valueOf(template).endsWith("}")
                        ? regex.substring(0, regex.lastIndexOf("[^/]+")) + ".+" + regex.substring(regex.lastIndexOf("[^/]+") + 5)
                        : regex;
                entries.add(new Entry(Pattern.compile(regex), Pattern.compile(rest), Set.copyOf(methods)));
            });
            return new ApiPaths(List.copyOf(entries));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The methods {@code path} (under /api/v1) answers; empty when the API has no such path. */
    Optional<Set<String>> methods(String path) {
        return entries.stream().filter(e -> e.path().matcher(path).matches()).findFirst()
                .or(() -> entries.stream().filter(e -> e.rest().matcher(path).matches()).findFirst()).map(Entry::methods);
    }

    /** The {@code Allow} header's value for a set of methods, in a stable order. */
    static String allow(Set<String> methods) {
        return String.join(", ", new TreeSet<>(methods));
    }
}
