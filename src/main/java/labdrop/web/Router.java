package labdrop.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Method and path pattern to handler. A pattern is segments: {@code hosts}, {@code {host}} (one
 * segment, bound by name), or a last {@code {name...}} (the rest, slashes kept, from a segment
 * that is not empty: {@code config/} binds "config/"). Routes are tried in the order they were added, so a literal segment added before a
 * parameter wins.
 *
 * @param <H> what a route leads to
 */
final class Router<H> {
    private final List<Route<H>> routes = new ArrayList<>();

    /** One route. */
    record Route<H>(String method, String pattern, List<String> segments, H handler) {
    }

    /** A route that fits a call, and the values of its parameters. */
    record Match<H>(H handler, Map<String, String> params) {
    }

    Router<H> add(String method, String pattern, H handler) {
        routes.add(new Route<>(method, pattern, segments(pattern), handler));
        return this;
    }

    /** The route for {@code method} and {@code path}, if there is one. */
    Optional<Match<H>> match(String method, String path) {
        List<String> parts = segments(path);
        for (Route<H> route : routes) {
            if (route.method().equals(method)) {
                Map<String, String> params = bind(route.segments(), parts);
                if (params != null) {
                    return Optional.of(new Match<>(route.handler(), params));
                }
            }
        }
        return Optional.empty();
    }

    /** The methods some route answers at {@code path} (empty: no route has the path). */
    Set<String> methods(String path) {
        List<String> parts = segments(path);
        Set<String> methods = new TreeSet<>();
        routes.stream().filter(r -> bind(r.segments(), parts) != null).forEach(r -> methods.add(r.method()));
        return methods;
    }

    List<Route<H>> routes() {
        return List.copyOf(routes);
    }

    private static List<String> segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("/", -1));
    }

    /** The parameters when {@code parts} fit {@code pattern}; null when they do not. */
    private static Map<String, String> bind(List<String> pattern, List<String> parts) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String want = pattern.get(i);
            boolean param = want.startsWith("{") && want.endsWith("}");
            if (param && want.endsWith("...}")) {
                if (i >= parts.size() || i != pattern.size() - 1) {
                    return null;
                }
                String rest = String.join("/", parts.subList(i, parts.size()));
                if (parts.get(i).isEmpty()) {
                    return null;
                }
                params.put(want.substring(1, want.length() - 4), rest);
                return params;
            }
            if (i >= parts.size()) {
                return null;
            }
            String part = parts.get(i);
            if (param) {
                if (part.isEmpty()) {
                    return null;
                }
                params.put(want.substring(1, want.length() - 1), part);
            } else if (!want.equals(part)) {
                return null;
            }
        }
        return pattern.size() == parts.size() ? params : null;
    }
}
