package labdrop.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import labdrop.drop.Names;
import labdrop.error.NotFoundException;
import labdrop.lab.Lab;
import labdrop.store.HostRows;
import labdrop.user.Tokens;

/**
 * The agents' cheap idle poll: per host a generation number (bumped in the store on every
 * placement, removal and config change) that an agent reads with its host's own token, as a
 * conditional GET answered 304 while nothing changed. Reads are served from a cache refreshed at
 * most once a second per host, so a 304 costs a map lookup and a SHA-256; a change or a revoked
 * token is seen within that second.
 */
public final class Doorbell {
    static final long TTL_NANOS = 1_000_000_000L;
    private final Lab lab;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final Counter changed;
    private final Counter unchanged;
    private final Counter refused;

    private final ConcurrentHashMap<String, Polls> polls = new ConcurrentHashMap<>();

    /** A host's doorbell polls answered since the server started, and the last one's time. */
    public record Polls(long count, Instant last) {
    }

    private record Cached(HostRows.Bell bell, long loadedAt) {
    }

    public Doorbell(Lab lab, MeterRegistry registry) {
        this.lab = lab;
        this.changed = Counter.builder("labdrop.polls").tag("answer", "changed")
                .description("Doorbell polls by agents, by answer").register(registry);
        this.unchanged = Counter.builder("labdrop.polls").tag("answer", "unchanged").register(registry);
        this.refused = Counter.builder("labdrop.polls").tag("answer", "refused").register(registry);
    }

    /** The host's generation, or empty when the token is not this host's (or the host is unknown or retired). */
    public Optional<Long> generation(String host, String token) {
        if (!Names.isValid(host) || token == null) {
            refused.increment();
            return Optional.empty();
        }
        long now = System.nanoTime();
        Cached cached = cache.get(host);
        if (cached == null || now - cached.loadedAt() > TTL_NANOS) {
            Optional<HostRows.Bell> bell = lab.store().read(h -> HostRows.bell(h, host));
            cached = new Cached(bell.orElse(null), now);
            cache.put(host, cached);
        }
        HostRows.Bell bell = cached.bell();
        if (bell == null || bell.tokenHash() == null || !MessageDigest.isEqual(
                bell.tokenHash().getBytes(StandardCharsets.US_ASCII),
                Tokens.hash(token).getBytes(StandardCharsets.US_ASCII))) {
            refused.increment();
            return Optional.empty();
        }
        return Optional.of(bell.generation());
    }

    public void answered(String host, boolean modified) {
        (modified ? changed : unchanged).increment();
        Instant at = lab.now();
        polls.merge(host, new Polls(1, at), (old, one) -> new Polls(old.count() + 1, at));
    }

    /** The host's answered polls since this server started (zero and no time when none). */
    public Polls polls(String host) {
        return polls.getOrDefault(host, new Polls(0, null));
    }

    /** Issues a new token for the host (the old one stops working) and returns it; only its SHA-256 is kept. */
    public String issueToken(String host) {
        String token = Tokens.newToken();
        lab.store().tx(h -> {
            if (HostRows.lock(h, host).isEmpty()) {
                throw new NotFoundException("no host '" + host + "'; labdrop host list shows the hosts");
            }
            HostRows.setDoorbellToken(h, host, Tokens.hash(token));
            return null;
        });
        cache.remove(host);
        return token;
    }
}
