package labdrop.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import labdrop.drop.AtomicFiles;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.user.Tokens;
import labdrop.web.DoorbellHandler;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The doorbell of the SUTs behind the gateway, answered by the gateway itself at the path the
 * server uses ({@code GET /api/v1/hosts/<host>/generation}, docs/api.md), so an agent's
 * {@code doorbell.url} just names the gateway. Each host's generation moves when the gateway
 * changes that host's {@code current/} or {@code config/} in the local drop. A poll is answered
 * with the host's own doorbell token (the server hands the gateway the token hashes with the
 * lab's doorbell; they are kept on disk so polls are answered while the link is down), 304 while
 * nothing changed, and with {@code ?wait=} held (no thread) until the host changes or the wait ends.
 */
final class SutDoorbell extends Handler.Abstract implements AutoCloseable {
    private static final String PREFIX = "/hosts/";
    private static final String SUFFIX = "/generation";
    private static final Duration HOLD_SLACK = Duration.ofSeconds(10);
    /** Held polls per host (its agent, and one more while a reconnecting agent's old poll is still held). */
    static final int MAX_HELD_PER_HOST = 2;
    static final int MAX_HELD = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path tokenFile;
    private final long base;
    private final Map<String, String> tokenHashes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
    private final Map<String, Set<Held>> held = new ConcurrentHashMap<>();
    private final AtomicInteger heldCount = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "labdrop-gateway-doorbell-waits");
        t.setDaemon(true);
        return t;
    });

    /** One held poll: answered once, by a change of its host or its deadline. */
    private final class Held {
        private final String host;
        private final Runnable changed;
        private final Runnable unchanged;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        Held(String host, Runnable changed, Runnable unchanged) {
            this.host = host;
            this.changed = changed;
            this.unchanged = unchanged;
        }

        boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> pending = timeout;
            if (pending != null) {
                pending.cancel(false);
            }
            held.computeIfPresent(host, (h, of) -> {
                of.remove(this);
                return of.isEmpty() ? null : of;
            });
            heldCount.decrementAndGet();
            return true;
        }
    }

    SutDoorbell(Path tokenFile, Clock clock) throws IOException {
        this.tokenFile = tokenFile;
        // a restarted gateway starts above any generation it handed out before, so no agent misses a change
        this.base = clock.millis() * 1000;
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(tokenFile, StandardCharsets.UTF_8)) {
            p.load(in);
            p.stringPropertyNames().forEach(host -> tokenHashes.put(host, p.getProperty(host)));
        } catch (NoSuchFileException none) {
            // no token known yet: polls are refused until the lab's doorbell first answers
        }
    }

    /** The hosts' doorbell token hashes as the server last gave them (empty: the host has no token). */
    synchronized void tokens(Map<String, String> hashes) throws IOException {
        if (hashes.equals(Map.copyOf(tokenHashes))) {
            return;
        }
        tokenHashes.clear();
        hashes.forEach((host, hash) -> {
            if (!hash.isEmpty()) {
                tokenHashes.put(host, hash);
            }
        });
        Properties p = new Properties();
        tokenHashes.forEach(p::setProperty);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.store(out, "labdrop gateway: the SHA-256 of each host's doorbell token, from the server");
        AtomicFiles.write(tokenFile, out.toByteArray());
    }

    /** The gateway changed {@code host}'s current/ or config/: its agent is told at once. */
    void bump(String host) {
        generations.computeIfAbsent(host, h -> new AtomicLong(base)).incrementAndGet();
        Set<Held> of = held.get(host);
        if (of != null) {
            for (Held poll : Set.copyOf(of)) {
                if (poll.finish()) {
                    poll.changed.run();
                }
            }
        }
    }

    private long generation(String host) {
        return generations.computeIfAbsent(host, h -> new AtomicLong(base)).get();
    }

    private boolean tokenMatches(String host, String token) {
        String hash = tokenHashes.get(host);
        return hash != null && token != null && MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                Tokens.hash(token).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
            return false;
        }
        String host = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.getHeaders().put("Allow", "GET, HEAD");
            send(response, callback, 405, Map.of("error", "the doorbell is read with GET"));
            return true;
        }
        String header = request.getHeaders().get("Authorization");
        String token = header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : null;
        if (!Names.isValid(host) || !tokenMatches(host, token)) {
            response.getHeaders().put("WWW-Authenticate", "Bearer realm=\"labdrop-host\"");
            send(response, callback, 401, Map.of("error", "send Authorization: Bearer <token> with the host's doorbell"
                    + " token (labdrop host token HOST on the server); the gateway learns tokens from the server's lab doorbell"));
            return true;
        }
        Duration wait;
        try {
            wait = DoorbellHandler.wait(Request.extractQueryParameters(request).getValue("wait"));
        } catch (BadInputException e) {
            send(response, callback, 400, Map.of("error", e.getMessage()));
            return true;
        }
        long generation = generation(host);
        String etag = "\"g" + generation + "\"";
        if (!etag.equals(request.getHeaders().get("If-None-Match"))) {
            changed(response, callback, host, generation);
            return true;
        }
        if (wait.isZero()) {
            unchanged(response, callback, etag);
            return true;
        }
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleTimeout = endPoint.getIdleTimeout();
        Held poll = new Held(host, () -> {
            endPoint.setIdleTimeout(idleTimeout);
            changed(response, callback, host, generation(host));
        }, () -> {
            endPoint.setIdleTimeout(idleTimeout);
            unchanged(response, callback, etag);
        });
        if (heldCount.incrementAndGet() > MAX_HELD) {
            heldCount.decrementAndGet();
            refuse(response, callback);
            return true;
        }
        Set<Held> of = held.compute(host, (h, set) -> {
            Set<Held> polls = set != null ? set : ConcurrentHashMap.newKeySet();
            if (polls.size() < MAX_HELD_PER_HOST) {
                polls.add(poll);
            }
            return polls;
        });
        if (!of.contains(poll)) {
            heldCount.decrementAndGet();
            refuse(response, callback);
            return true;
        }
        endPoint.setIdleTimeout(wait.plus(HOLD_SLACK).toMillis());
        poll.timeout = timer.schedule(() -> {
            if (poll.finish()) {
                poll.unchanged.run();
            }
        }, wait.toMillis(), TimeUnit.MILLISECONDS);
        request.addFailureListener(failure -> poll.finish());
        if (generation(host) != generation && poll.finish()) {
            poll.changed.run();
        }
        return true;
    }

    private static void refuse(Response response, Callback callback) {
        response.getHeaders().put("Retry-After", "55");
        send(response, callback, 429, Map.of("error", "too many doorbell polls are held (" + MAX_HELD_PER_HOST
                + " per host, " + MAX_HELD + " in all); poll without wait, or again after Retry-After"));
    }

    private static void changed(Response response, Callback callback, String host, long generation) {
        response.getHeaders().put("ETag", "\"g" + generation + "\"");
        response.getHeaders().put("Cache-Control", "no-cache");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("host", host);
        body.put("generation", generation);
        send(response, callback, 200, body);
    }

    private static void unchanged(Response response, Callback callback, String etag) {
        response.getHeaders().put("ETag", etag);
        response.getHeaders().put("Cache-Control", "no-cache");
        response.setStatus(304);
        callback.succeeded();
    }

    private static void send(Response response, Callback callback, int status, Object body) {
        try {
            response.setStatus(status);
            response.getHeaders().put("Content-Type", "application/json");
            response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    /** Answers every held poll as unchanged (the gateway stops; the agents poll again later). */
    @Override
    public void close() {
        timer.shutdownNow();
        held.values().forEach(of -> Set.copyOf(of).forEach(poll -> {
            if (poll.finish()) {
                poll.unchanged.run();
            }
        }));
    }
}
