package labdrop.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import labdrop.drop.AtomicFiles;
import labdrop.drop.Names;
import labdrop.queue.Generations;
import labdrop.queue.HeldPolls;
import labdrop.user.Tokens;

/**
 * The doorbell of the SUTs behind the gateway, answered by the gateway itself through the server's
 * own front ({@code web.DoorbellHandler}, {@code GET /api/v1/hosts/<host>/generation}, docs/api.md),
 * so an agent's {@code doorbell.url} just names the gateway. Each host's generation moves when the
 * gateway changes that host's {@code current/} or {@code config/} in the local drop. A poll is
 * answered with the host's own doorbell token (the server hands the gateway the token hashes with
 * the lab's doorbell; they are kept on disk so polls are answered while the link is down), 304
 * while nothing changed, and with {@code ?wait=} held (no thread) until the host changes or the wait ends.
 */
final class SutDoorbell implements Generations, AutoCloseable {
    /** Held polls per host (its agent, and one more while a reconnecting agent's old poll is still held). */
    static final int MAX_HELD_PER_HOST = 2;
    static final int MAX_HELD = 10_000;
    private final Path tokenFile;
    private final long base;
    private final Map<String, String> tokenHashes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "labdrop-gateway-doorbell-waits");
        t.setDaemon(true);
        return t;
    });
    private final HeldPolls<Answer> held = new HeldPolls<>(MAX_HELD_PER_HOST, MAX_HELD, new AtomicInteger(), () -> timer);

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
        long now = generations.computeIfAbsent(host, h -> new AtomicLong(base)).incrementAndGet();
        for (HeldPolls<Answer>.Poll poll : held.of(host)) {
            if (poll.finish()) {
                poll.value().changed(now);
            }
        }
    }

    private long generation(String host) {
        return generations.computeIfAbsent(host, h -> new AtomicLong(base)).get();
    }

    @Override
    public Optional<Long> generation(String host, String token) {
        String hash = Names.isValid(host) ? tokenHashes.get(host) : null;
        if (hash == null || token == null || !MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                Tokens.hash(token).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        return Optional.of(generation(host));
    }

    /** Every poll: the tokens and generations are kept in memory (the token file is only written). */
    @Override
    public boolean inMemory(String host) {
        return true;
    }

    @Override
    public void answered(String host, boolean modified) {
        // the gateway keeps no poll counts; the server's host page shows the gateway's last sync
    }

    @Override
    public Optional<? extends HeldPoll> hold(String host, long seen, Duration wait, Answer answer) {
        Optional<HeldPolls<Answer>.Poll> poll = held.hold(host, answer, wait, Answer::unchanged);
        // a bump between the caller's read and this hold found no poll to answer
        poll.ifPresent(p -> {
            long now = generation(host);
            if (now != seen && p.finish()) {
                answer.changed(now);
            }
        });
        return poll;
    }

    @Override
    public int maxHeldPerHost() {
        return MAX_HELD_PER_HOST;
    }

    @Override
    public int maxHeld() {
        return MAX_HELD;
    }

    /** Answers every held poll as unchanged (the gateway stops; the agents poll again later). */
    @Override
    public void close() {
        timer.shutdownNow();
        for (HeldPolls<Answer>.Poll poll : held.all()) {
            if (poll.finish()) {
                poll.value().unchanged();
            }
        }
    }
}
