package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import labdrop.error.BadInputException;
import labdrop.error.ConflictException;
import labdrop.error.ForbiddenException;
import labdrop.error.NotFoundException;
import labdrop.web.LocalAccess;

/**
 * The CLI against a server's {@code /api/v1}: a remote one ({@code --server URL}, with the user's
 * token from {@code --token-file} or {@code $LABDROP_TOKEN}), or the one running on this host
 * ({@link LocalAccess}'s key, acting as {@code --as}). The server's JSON errors become the same
 * exceptions (and so exit codes) as local failures.
 *
 * <p>The JDK's {@link HttpURLConnection}, not its newer HttpClient: the call runs on this thread
 * and leaves none behind, where HttpClient's selector thread, waiting in the kernel, holds the
 * JVM's exit for 300 ms (HotSpot waits that long for threads in native code), more than a
 * read-only command may take in all (docs/cli.md). It cannot send PATCH, so a PATCH goes as a
 * POST with {@code X-HTTP-Method-Override: PATCH}, which the API honours (docs/api.md).
 */
final class Remote implements LabClient {
    static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int READ_TIMEOUT_MS = 60_000;
    private final String base;
    private final String authorization;
    /** Who acts, on the server host ({@link LocalAccess}); null with a token. */
    private final String as;

    private Remote(String base, String authorization, String as) {
        this.base = base;
        this.authorization = authorization;
        this.as = as;
    }

    /** {@code --server URL} with the user's token. */
    static Remote withToken(String server, Path tokenFile) throws IOException {
        if (!server.matches("https?://[^\\s/]+(/\\S*)?")) {
            throw new BadInputException("--server '" + server + "' is not an http:// or https:// URL; give the server's"
                    + " base URL, e.g. http://labdrop.example:8080");
        }
        String fromFile = tokenFile == null ? null : Files.readString(tokenFile).strip();
        String token = fromFile != null ? fromFile : System.getenv("LABDROP_TOKEN");
        if (token == null || token.isBlank()) {
            throw new BadInputException("--server needs a user token: --token-file FILE or $LABDROP_TOKEN"
                    + " (labdrop user token NAME on the server creates one)");
        }
        return new Remote(server.replaceAll("/+$", "") + "/api/v1", "Bearer " + token, null);
    }

    /** The server running on this host, acting as the admin {@code as} (the CLI on the store acts so too). */
    static Remote running(LocalAccess.Endpoint server, String as) {
        return new Remote(server.url() + "/api/v1", server.authorization(), as);
    }

    /**
     * Does, on a thread of its own, the one-time work that a command's first call would pay on the
     * main thread: finding the JDK's http handler (the JDK first asks every jar on the class path for
     * a provider, about 50 ms with the server's 82 jars) and setting Jackson up (its date formats load
     * the JDK's locale data, about 50 ms). A command line is read meanwhile on the other core (docs/cli.md
     * "Start-up"); a command that never calls a server loses nothing but that thread's time.
     */
    static void prepareInBackground() {
        Thread prepare = new Thread(() -> {
            try {
                URI.create("http://127.0.0.1/").toURL();
            } catch (IOException | IllegalArgumentException e) {
                // the call itself reports what is wrong
            }
            json();
        }, "labdrop-cli-prepare");
        prepare.setDaemon(true);
        prepare.start();
    }

    /** The CLI's one Jackson mapper, made on first use (not when this class loads: see prepareInBackground). */
    static ObjectMapper json() {
        return Mapper.JSON;
    }

    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean local() {
        return as != null;
    }

    @Override
    public void close() {
        // each call closes its own connection's streams; kept-alive sockets are the JDK's to reuse or drop
    }

    @Override
    public JsonNode call(String method, String path, Object body) throws IOException {
        int status;
        String text;
        try {
            HttpURLConnection http = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
            http.setConnectTimeout(CONNECT_TIMEOUT_MS);
            http.setReadTimeout(READ_TIMEOUT_MS);
            http.setInstanceFollowRedirects(false);
            http.setRequestMethod("PATCH".equals(method) ? "POST" : method);
            if ("PATCH".equals(method)) {
                http.setRequestProperty(METHOD_OVERRIDE, "PATCH");
            }
            http.setRequestProperty("Authorization", authorization);
            if (as != null) {
                http.setRequestProperty(LocalAccess.AS_HEADER, as);
            }
            http.setRequestProperty("Accept", "application/json");
            if (body != null) {
                byte[] bytes = (body instanceof String s ? s : json().writeValueAsString(body)).getBytes(StandardCharsets.UTF_8);
                http.setRequestProperty("Content-Type", body instanceof String ? "text/plain; charset=utf-8" : "application/json");
                http.setDoOutput(true);
                http.setFixedLengthStreamingMode(bytes.length);
                try (OutputStream out = http.getOutputStream()) {
                    out.write(bytes);
                }
            }
            status = http.getResponseCode();
            try (InputStream in = status >= 400 ? http.getErrorStream() : http.getInputStream()) {
                text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IOException("cannot reach the server at " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()) + "; check that the server runs"
                    + (as == null ? " and --server" : ""), e);
        }
        JsonNode answer;
        try {
            answer = json().readTree(text);
        } catch (IOException e) {
            throw new IOException(base + path + " answered " + status + " with no JSON; is --server a labdrop server?");
        }
        String error = answer != null && answer.has("error") ? answer.get("error").asText() : null;
        return switch (status) {
            case 200, 201 -> answer;
            case 400, 413 -> throw new BadInputException(error);
            case 401 -> throw new ForbiddenException(as == null ? "the server refused the token: " + error
                    : "the server running on this host refused the key in <state.dir>/" + LocalAccess.FILE
                    + " (a server started since the file was read?); run the command again");
            case 403 -> throw new ForbiddenException(error);
            case 404 -> throw new NotFoundException(error);
            case 409 -> throw new ConflictException(error);
            default -> throw new IOException("the server answered " + status + ": " + error);
        };
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
