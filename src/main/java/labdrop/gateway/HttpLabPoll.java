package labdrop.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import labdrop.config.ConfigException;
import labdrop.drop.Names;
import labdrop.tls.TlsKeys;

/**
 * The lab's doorbell over HTTP ({@code GET /api/v1/labs/LAB/generation}, docs/api.md) with the
 * lab's token: a held conditional GET, so the gateway needs no SSH connection between changes.
 * The token file is read at every poll (a new token works without a restart). The answer is
 * bounded ({@link #MAX_BODY}) and every host name and token hash in it checked before use.
 */
final class HttpLabPoll implements LabPoll {
    /** The largest answer read: about 150 bytes a host, so room for a lab of 50,000 hosts. */
    static final int MAX_BODY = 8 << 20;
    /** The longest token file read (a labdrop token is 47 characters). */
    static final int MAX_TOKEN_BYTES = 512;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final GatewayConfig.Bell bell;
    private final Duration timeout;
    private final HttpClient client;
    private volatile CompletableFuture<?> held;

    HttpLabPoll(GatewayConfig.Bell bell, Duration connectTimeout, Duration timeout) {
        this.bell = bell;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .sslContext(sslContext(bell.caFile())).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public LabDoorbell.Answer poll(String tag, Duration hold) throws IOException, InterruptedException {
        String token = token();
        boolean known = !tag.equals("-");
        URI url = known ? URI.create(bell.url() + "?wait=" + hold.toSeconds()) : bell.url();
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(hold.plus(timeout)).header("Authorization", "Bearer " + token).GET();
        if (known) {
            request.header("If-None-Match", "\"" + tag + "\"");
        }
        CompletableFuture<HttpResponse<InputStream>> sent = client.sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofInputStream());
        held = sent;
        HttpResponse<InputStream> response;
        try {
            response = sent.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            held = null;
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        int status = response.statusCode();
        if (status == 200 && body.length > MAX_BODY) {
            throw new IOException(bell.url() + " answered with more than " + MAX_BODY + " bytes; refused");
        }
        return switch (status) {
            case 200 -> parse(body);
            case 304 -> null;
            case 401, 403 -> throw new Refused(bell.url() + " refused the lab's token in " + bell.tokenFile() + " (" + status
                    + "); issue one with labdrop lab token LAB --file FILE on the server and copy it there");
            case 404 -> throw new Refused(bell.url() + " answered 404: the server has no such lab doorbell (check"
                    + " server.doorbell-url; a server older than the gateway has none)");
            case 429 -> throw new Busy(bell.url() + " holds as many of this lab's polls as it allows");
            default -> throw new IOException(bell.url() + " answered " + status);
        };
    }

    /** The lab's token from its file (at most {@link #MAX_TOKEN_BYTES}); a missing or unreadable file is a refusal. */
    private String token() throws Refused {
        try (InputStream in = Files.newInputStream(bell.tokenFile())) {
            String token = new String(in.readNBytes(MAX_TOKEN_BYTES + 1), StandardCharsets.UTF_8).strip();
            if (token.isEmpty() || token.length() > MAX_TOKEN_BYTES || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new Refused(bell.tokenFile() + " holds no lab token (one line of up to " + MAX_TOKEN_BYTES
                        + " printable characters); write it with labdrop lab token LAB --file FILE on the server");
            }
            return token;
        } catch (Refused e) {
            throw e;
        } catch (IOException e) {
            throw new Refused("cannot read the lab's token file " + bell.tokenFile() + " (" + e.getMessage()
                    + "); write it with labdrop lab token LAB --file FILE on the server, or set server.doorbell-token-file");
        }
    }

    /** {@code {"lab", "tag", "hosts": [{"name", "generation", "tokenSha256"}]}}, every field checked. */
    static LabDoorbell.Answer parse(byte[] body) throws IOException {
        JsonNode root = JSON.readTree(body);
        String tag = root.path("tag").asText("");
        if (!tag.matches("[0-9a-f]{16}")) {
            throw new IOException("the lab doorbell's answer has no tag of 16 hex digits");
        }
        Map<String, Long> generations = new TreeMap<>();
        Map<String, String> tokens = new TreeMap<>();
        for (JsonNode host : root.path("hosts")) {
            String name = host.path("name").asText("");
            JsonNode generation = host.path("generation");
            String hash = host.path("tokenSha256").isTextual() ? host.path("tokenSha256").asText() : "";
            if (!Names.isValid(name) || !generation.canConvertToLong() || !(hash.isEmpty() || hash.matches("[0-9a-f]{64}"))) {
                throw new IOException("the lab doorbell's answer has a malformed host entry: " + abbreviate(host.toString()));
            }
            generations.put(name, generation.asLong());
            tokens.put(name, hash);
        }
        return new LabDoorbell.Answer(tag, generations, tokens);
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    @Override
    public void abort() {
        CompletableFuture<?> poll = held;
        if (poll != null) {
            poll.cancel(true);
        }
    }

    private static SSLContext sslContext(Path caFile) {
        try {
            if (caFile == null) {
                return SSLContext.getDefault();
            }
            return TlsKeys.trusting(caFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("server.ca-file " + caFile + ": " + e.getMessage()
                    + "; give a readable PEM file of the CA certificates that signed the server's");
        }
    }
}
