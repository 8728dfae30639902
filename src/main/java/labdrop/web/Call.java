package labdrop.web;

import java.io.IOException;
import labdrop.error.BadInputException;
import labdrop.user.User;

/**
 * One API call as its resource handler sees it: who calls, the path's parameters, the query, the
 * body, and whether the answer is a new resource. Over HTTP it is an {@link Exchange}; for the CLI
 * on the server host it is built in memory by {@link LocalApi}.
 */
interface Call {
    User user();

    /** A path parameter the route named. */
    String param(String name);

    /** A query parameter, or null. */
    String query(String name);

    /** The body as text. */
    String body() throws IOException;

    /** The answer is a new resource (201 over HTTP). */
    void created();

    /** The body as a JSON object. */
    default JsonBody json() throws IOException {
        return JsonBody.parse(body());
    }

    /** A whole-number query parameter in {@code min..max}, {@code fallback} when absent. */
    default int number(String name, int fallback, int min, int max) {
        String value = query(name);
        if (value == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new BadInputException("query parameter " + name + "=" + value + " is not a whole number in " + min + ".." + max);
    }
}
