package labdrop.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
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
 *
 * <p>A poll may also be <em>held</em> (long-polling, docs/api.md): answered when the host's
 * generation moves past the one the agent has, or with 304 when its wait (at most
 * {@link #MAX_WAIT}) runs out. A change made through this server ({@link #ring}) answers its held
 * polls as soon as it is committed; one made elsewhere is seen by the next poll. Held polls take no
 * thread: each is a callback in a map and an entry in one timer, which answers those whose wait ran out.
 */
public final class Doorbell implements AutoCloseable {
    static final long TTL_NANOS = 1_000_000_000L;
    /**
     * The longest a poll is held: below the 60 s idle cut of common proxies (nginx, HAProxy's usual
     * timeouts); Jetty's own 30 s idle timeout is waived while a poll is held.
     */
    public static final Duration MAX_WAIT = Duration.ofSeconds(55);
    /** Held polls per host (its agent, and one more while a reconnecting agent's old poll is still held). */
    public static final int MAX_HELD_PER_HOST = 2;
    /** Held polls in all; beyond it a poll is refused with 429 and its agent polls on its schedule. */
    public static final int MAX_HELD = 20_000;
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

    /** How a held poll is answered, once: the host's new generation, or unchanged when its wait ran out. */
    public interface Answer {
        void changed(long generation);

        void unchanged();
    }

    private final ConcurrentHashMap<String, Set<Held>> held = new ConcurrentHashMap<>();
    private final AtomicInteger heldCount = new AtomicInteger();
    private ScheduledThreadPoolExecutor timer;

    /** One held poll: answered once, by a ring, its deadline, a failed connection or the server's stop. */
    public final class Held {
        private final String host;
        private final long seen;
        private final Answer answer;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        private Held(String host, long seen, Answer answer) {
            this.host = host;
            this.seen = seen;
            this.answer = answer;
        }

        /** The client went away: forget this poll without answering it. */
        public void cancel() {
            finish();
        }

        private boolean finish() {
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

        private void changed(long generation) {
            if (finish()) {
                modified(host, true);
                answer.changed(generation);
            }
        }

        private void unchanged() {
            if (finish()) {
                modified(host, false);
                answer.unchanged();
            }
        }
    }

    public Doorbell(Lab lab, MeterRegistry registry) {
        this.lab = lab;
        this.changed = Counter.builder("labdrop.polls").tag("answer", "changed")
                .description("Doorbell polls by agents, by answer").register(registry);
        this.unchanged = Counter.builder("labdrop.polls").tag("answer", "unchanged").register(registry);
        this.refused = Counter.builder("labdrop.polls").tag("answer", "refused").register(registry);
        Gauge.builder("labdrop.polls.held", heldCount, AtomicInteger::get)
                .description("Doorbell polls held until their host changes or their wait runs out").register(registry);
    }

    /** The host's generation, or empty when the token is not this host's (or the host is unknown or retired). */
    public Optional<Long> generation(String host, String token) {
        if (!Names.isValid(host) || token == null) {
            refused.increment();
            return Optional.empty();
        }
        HostRows.Bell bell = cached(host);
        if (bell == null || bell.tokenHash() == null || !MessageDigest.isEqual(
                bell.tokenHash().getBytes(StandardCharsets.US_ASCII),
                Tokens.hash(token).getBytes(StandardCharsets.US_ASCII))) {
            refused.increment();
            return Optional.empty();
        }
        return Optional.of(bell.generation());
    }

    /** The host's bell from the cache, read again when older than {@link #TTL_NANOS} or dropped by a ring; null when none. */
    private HostRows.Bell cached(String host) {
        long now = System.nanoTime();
        Cached cached = cache.get(host);
        if (cached == null || now - cached.loadedAt() > TTL_NANOS) {
            Optional<HostRows.Bell> bell = lab.store().read(h -> HostRows.bell(h, host));
            cached = new Cached(bell.orElse(null), now);
            cache.put(host, cached);
        }
        return cached.bell();
    }

    public void answered(String host, boolean modified) {
        modified(host, modified);
    }

    private void modified(String host, boolean modified) {
        (modified ? changed : unchanged).increment();
        Instant at = lab.now();
        polls.merge(host, new Polls(1, at), (old, one) -> new Polls(old.count() + 1, at));
    }

    /** The host's answered polls since this server started (zero and no time when none). */
    public Polls polls(String host) {
        return polls.getOrDefault(host, new Polls(0, null));
    }

    /**
     * Holds a poll of {@code host} that has seen generation {@code seen} for up to {@code wait}
     * ({@link #MAX_WAIT} at most); empty when the limits are reached ({@link #MAX_HELD_PER_HOST},
     * {@link #MAX_HELD}), and the poll is then to be refused, not answered at once, so that no agent
     * turns a full server into a busy loop.
     */
    public Optional<Held> hold(String host, long seen, Duration wait, Answer answer) {
        if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("wait " + wait + " is outside 0.." + MAX_WAIT);
        }
        if (heldCount.incrementAndGet() > MAX_HELD) {
            heldCount.decrementAndGet();
            return Optional.empty();
        }
        Held poll = new Held(host, seen, answer);
        Set<Held> of = held.compute(host, (h, set) -> {
            Set<Held> polls = set != null ? set : ConcurrentHashMap.newKeySet();
            if (polls.size() < MAX_HELD_PER_HOST) {
                polls.add(poll);
            }
            return polls;
        });
        if (!of.contains(poll)) {
            heldCount.decrementAndGet();
            return Optional.empty();
        }
        poll.timeout = timer().schedule(poll::unchanged, wait.toNanos(), TimeUnit.NANOSECONDS);
        // A ring between the caller's read and this hold found no poll to answer, but it dropped the
        // cache entry, so this read sees its change.
        HostRows.Bell bell = cached(host);
        if (bell == null) {
            poll.unchanged();
        } else if (bell.generation() != seen) {
            poll.changed(bell.generation());
        }
        return Optional.of(poll);
    }

    /** Polls held now, for the metrics and the tests. */
    public int held() {
        return heldCount.get();
    }

    /**
     * Moves the host's generation in the caller's transaction and, once it is committed, answers the
     * host's held polls: what every placement, removal and config change of a host calls.
     */
    public void ring(Handle h, String host) {
        HostRows.bumpGeneration(h, host);
        h.afterCommit(() -> rang(host));
    }

    private void rang(String host) {
        cache.remove(host);
        Set<Held> of = held.get(host);
        if (of == null || of.isEmpty()) {
            return;
        }
        HostRows.Bell bell = cached(host);
        for (Held poll : List.copyOf(of)) {
            if (bell == null) {
                poll.unchanged();
            } else if (bell.generation() != poll.seen) {
                poll.changed(bell.generation());
            }
        }
    }

    /** The one thread that answers held polls whose wait ran out (one timer entry each, removed when answered earlier). */
    private synchronized ScheduledThreadPoolExecutor timer() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "doorbell-waits");
                t.setDaemon(true);
                return t;
            });
            timer.setRemoveOnCancelPolicy(true);
        }
        return timer;
    }

    /** Answers every held poll as unchanged (the server stops; the agents poll again elsewhere or later). */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        held.values().forEach(of -> List.copyOf(of).forEach(Held::unchanged));
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
