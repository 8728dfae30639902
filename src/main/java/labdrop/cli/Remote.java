package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import labdrop.error.BadInputException;
import labdrop.error.ConflictException;
import labdrop.error.ForbiddenException;
import labdrop.error.NotFoundException;

/**
 * The CLI against a remote server's {@code /api/v1} ({@code --server URL}, with the user's token
 * from {@code --token-file} or {@code $LABDROP_TOKEN}). The server's JSON errors become the same
 * exceptions (and so exit codes) as local failures.
 */
final class Remote implements LabClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String token;

    Remote(String server, Path tokenFile) throws IOException {
        if (!server.matches("https?://[^\\s/]+(/\\S*)?")) {
            throw new BadInputException("--server '" + server + "' is not an http:// or https:// URL; give the server's"
                    + " base URL, e.g. http://labdrop.example:8080");
        }
        this.base = server.replaceAll("/+$", "") + "/api/v1";
        String fromFile = tokenFile == null ? null : Files.readString(tokenFile).strip();
        this.token = fromFile != null ? fromFile : System.getenv("LABDROP_TOKEN");
        if (token == null || token.isBlank()) {
            throw new BadInputException("--server needs a user token: --token-file FILE or $LABDROP_TOKEN"
                    + " (labdrop user token NAME on the server creates one)");
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean local() {
        return false;
    }

    @Override
    public void close() {
        // Java 17's HttpClient holds nothing that must be closed
    }

    @Override
    public JsonNode call(String method, String path, Object body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", body instanceof String ? "text/plain; charset=utf-8" : "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + base, e);
        } catch (IOException e) {
            throw new IOException("cannot reach the server at " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()) + "; check --server and that the server runs", e);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException(base + path + " answered " + response.statusCode() + " with no JSON; is --server a labdrop server?");
        }
        String error = answer != null && answer.has("error") ? answer.get("error").asText() : null;
        return switch (response.statusCode()) {
            case 200, 201 -> answer;
            case 400, 413 -> throw new BadInputException(error);
            case 401 -> throw new ForbiddenException("the server refused the token: " + error);
            case 403 -> throw new ForbiddenException(error);
            case 404 -> throw new NotFoundException(error);
            case 409 -> throw new ConflictException(error);
            default -> throw new IOException("the server answered " + response.statusCode() + ": " + error);
        };
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
