package labdrop.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import labdrop.event.Delivery;
import labdrop.event.Signature;
import labdrop.event.Webhook;

/**
 * POSTs one delivery to its webhook with the JDK's HTTP client: JSON body, event and delivery
 * headers, HMAC-SHA256 signature; redirects are not followed; the whole exchange, body of the
 * answer included, is bounded by the timeout. Any 2xx answer is a delivery.
 */
final class WebhookSender {
    static final String EVENT_HEADER = "X-Labdrop-Event";
    static final String DELIVERY_HEADER = "X-Labdrop-Delivery";
    private final Duration timeout;
    /** Made at the first delivery: a client loads the system's CA certificates, which a CLI command never needs. */
    private HttpClient client;

    /** How one try ended: the answer's status (null when none came) and what went wrong (null on success). */
    record Outcome(Integer status, String error) {
        boolean delivered() {
            return error == null;
        }
    }

    WebhookSender(Duration timeout) {
        this.timeout = timeout;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1).build();
        }
        return client;
    }

    Outcome post(Webhook webhook, Delivery delivery) {
        byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(webhook.url())).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "labdrop-webhook")
                    .header(EVENT_HEADER, delivery.kind().label())
                    .header(DELIVERY_HEADER, Long.toString(delivery.id()))
                    .header(Signature.HEADER, Signature.of(webhook.secret(), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        } catch (IllegalArgumentException e) {
            return new Outcome(null, "the URL cannot be requested: " + e.getMessage());
        }
        CompletableFuture<HttpResponse<Void>> answer = client().sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            int status = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
            return status / 100 == 2 ? new Outcome(status, null)
                    : new Outcome(status, "the receiver answered HTTP " + status + "; 2xx is a delivery");
        } catch (TimeoutException e) {
            answer.cancel(true);
            return new Outcome(null, "no answer within " + timeout.toSeconds() + " s (notify.timeout)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String why = cause instanceof IOException && cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : String.valueOf(cause.getMessage());
            return new Outcome(null, "cannot reach the receiver: " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
            return new Outcome(null, "stopped while delivering (the server is stopping)");
        }
    }
}
