package labdrop.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import labdrop.drop.Names;
import labdrop.error.NotFoundException;
import labdrop.lab.Lab;
import labdrop.store.BellNotices;
import labdrop.store.HostRows;
import labdrop.store.PollRows;
import labdrop.store.PollRows.Polls;
import labdrop.user.Tokens;

/**
 * The agents' cheap idle poll: per host a generation number (bumped in the store on every
 * placement, removal and config change) that an agent reads with its host's own token, as a
 * conditional GET answered 304 while nothing changed. Polls are answered from a cache of every
 * polled host's doorbell, kept current by the store's change feed ({@link HostRows#bellChanges}):
 * a read of the bell clock, and of the rows that moved, on each of the store's notices
 * ({@link BellNotices}, PostgreSQL) and otherwise once a second, however many agents poll. So a
 * 304 costs a map lookup and a SHA-256, and a change or a revoked token made by any process that
 * writes the store (another node of a cluster) is seen within a second, on PostgreSQL at once.
 * The polls answered are counted here and added to the store's counts every
 * {@link #SAVE_POLLS_EVERY} ({@link PollRows}).
 *
 * <p>A poll may also be <em>held</em> (long-polling, docs/api.md): answered when the host's
 * generation moves past the one the agent has, or with 304 when its wait (at most
 * {@link #MAX_WAIT}) runs out. A change made through this server ({@link #ring}) answers its held
 * polls as soon as it is committed; one made elsewhere, at the feed's next turn. Held polls take no
 * thread: each is a callback in a map and an entry in one timer, which answers those whose wait ran out.
 */
public final class Doorbell implements Generations, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Doorbell.class);
    /** How often the change feed reads the bell clock on a store without notices (H2). */
    static final Duration FEED_EVERY = Duration.ofSeconds(1);
    /**
     * How often it reads it on a store that sends notices (PostgreSQL), where a notice brings each
     * turn at once and the timer is only the net under a lost listening connection.
     */
    static final Duration NOTICED_FEED_EVERY = Duration.ofSeconds(5);
    /** How often the polls this server answered are added to the store's counts. */
    static final Duration SAVE_POLLS_EVERY = Duration.ofSeconds(10);
    /**
     * The longest a poll is held: below the 60 s idle cut of common proxies (nginx, HAProxy's usual
     * timeouts); a held poll's connection gets an idle timeout past its wait (web/DoorbellHandler).
     */
    public static final Duration MAX_WAIT = Duration.ofSeconds(55);
    /** Held polls per host (its agent, and one more while a reconnecting agent's old poll is still held). */
    public static final int MAX_HELD_PER_HOST = 2;
    /** Held polls in all; beyond it a poll is refused with 429 and its agent polls on its schedule. */
    public static final int MAX_HELD = 20_000;
    private final Lab lab;
    /** The doorbells of the hosts polled so far (never unknown names: a flood of those adds nothing). */
    private final ConcurrentHashMap<String, HostRows.Bell> cache = new ConcurrentHashMap<>();
    /** The bell clock as the feed last read it; -1 until the feed starts. */
    private volatile long clock = -1;
    /** The feed has started and its timers run: a cached host's poll needs neither the store nor this object's lock. */
    private volatile boolean fed;
    private final Counter changed;
    private final Counter unchanged;
    private final Counter refused;
    private final Counter notified;

    /** Polls this server answered and has not yet added to the store's counts, by host. */
    private final ConcurrentHashMap<String, Polls> unsaved = new ConcurrentHashMap<>();
    /** Every host's polls as the store last had them (read after each save). */
    private volatile Map<String, Polls> saved = Map.of();
    /** The store's doorbell notices, while this server listens to them (PostgreSQL). */
    private Optional<BellNotices> notices = Optional.empty();
    /** A turn of the feed is queued on the timer for notices not yet read. */
    private final AtomicBoolean feedQueued = new AtomicBoolean();

    /** Held polls in all, of hosts and of labs. */
    private final AtomicInteger heldCount = new AtomicInteger();
    /** Held polls of hosts (agents), by host. */
    private final HeldPolls<HostPoll> held = new HeldPolls<>(MAX_HELD_PER_HOST, MAX_HELD, heldCount, this::timer);
    /** Held polls of labs (gateways), by lab: answered when any of their hosts' doorbells changes. */
    private final HeldPolls<LabPoll> labHeld = new HeldPolls<>(MAX_HELD_PER_HOST, MAX_HELD, heldCount, this::timer);

    /**
     * A lab's doorbell as its gateway reads it: each of its hosts' generation and doorbell token
     * hash (so the gateway answers its SUTs' polls with their own tokens), and one tag that
     * changes when any of them does.
     */
    public record LabBell(Map<String, Long> generations, Map<String, String> tokenHashes, String tag) {
    }
    private ScheduledThreadPoolExecutor timer;

    /** A held poll of a host: the generation its agent has, and how it is answered. */
    private record HostPoll(String host, long seen, Answer answer) {
    }

    /**
     * A held poll of a lab: its hosts as they are when asked (a host joining or leaving is a
     * change too) and as they were when held, the tag its gateway has, and how it is answered.
     */
    private record LabPoll(Supplier<List<String>> hosts, List<String> heldHosts, String seen, Consumer<LabBell> answer) {
    }

    public Doorbell(Lab lab, MeterRegistry registry) {
        this.lab = lab;
        this.changed = Counter.builder("labdrop.polls").tag("answer", "changed")
                .description("Doorbell polls by agents, by answer").register(registry);
        this.unchanged = Counter.builder("labdrop.polls").tag("answer", "unchanged").register(registry);
        this.refused = Counter.builder("labdrop.polls").tag("answer", "refused").register(registry);
        this.notified = Counter.builder("labdrop.doorbell.notices")
                .description("The store's notices of doorbell changes this server received (PostgreSQL)").register(registry);
        Gauge.builder("labdrop.polls.held", heldCount, AtomicInteger::get)
                .description("Doorbell polls held until their host changes or their wait runs out").register(registry);
    }

    /** The host's generation, or empty when the token is not this host's (or the host is unknown or retired). */
    @Override
    public Optional<Long> generation(String host, String token) {
        if (!Names.isValid(host) || token == null) {
            refused.increment();
            return Optional.empty();
        }
        HostRows.Bell bell = cached(host);
        if (bell == null || bell.retired() || bell.tokenHash() == null || !MessageDigest.isEqual(
                bell.tokenHash().getBytes(StandardCharsets.US_ASCII),
                Tokens.hash(token).getBytes(StandardCharsets.US_ASCII))) {
            refused.increment();
            return Optional.empty();
        }
        return Optional.of(bell.generation());
    }

    /**
     * A host polled before, once the feed runs: its poll is answered from the cache (a host never
     * leaves it; a retired one stays as retired, and unknown names never enter it).
     */
    @Override
    public boolean inMemory(String host) {
        return fed && cache.containsKey(host);
    }

    /** The host's bell from the cache, read from the store on its first poll; null when there is no such host. */
    private HostRows.Bell cached(String host) {
        startFeed();
        HostRows.Bell bell = cache.get(host);
        if (bell == null) {
            Optional<HostRows.Bell> read = lab.store().read(h -> HostRows.bell(h, host));
            if (read.isEmpty()) {
                return null;
            }
            bell = cache.merge(host, read.get(), Doorbell::newer);
        }
        return bell;
    }

    /** Of two reads of a host's bell, the one with the later change (a read and the feed may race). */
    private static HostRows.Bell newer(HostRows.Bell cached, HostRows.Bell read) {
        return read.tick() > cached.tick() ? read : cached;
    }

    /**
     * Reads the bell clock before the first cached read, so every change after it reaches the cache
     * through the feed, and then once every {@link #FEED_EVERY} on the timer thread.
     */
    private void startFeed() {
        if (clock >= 0) {
            return;
        }
        synchronized (this) {
            if (clock < 0) {
                clock = lab.store().read(HostRows::bellClock);
                notices = lab.store().listenForBells(this::noticed);
                Duration every = notices.isPresent() ? NOTICED_FEED_EVERY : FEED_EVERY;
                timer().scheduleWithFixedDelay(this::readFeed, every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
                saved = lab.store().read(PollRows::all);
                timer().scheduleWithFixedDelay(this::savePolls, SAVE_POLLS_EVERY.toNanos(), SAVE_POLLS_EVERY.toNanos(),
                        TimeUnit.NANOSECONDS);
                fed = true;
            }
        }
    }

    /** A notice came: one turn of the feed on the timer thread, however many notices came before it ran. */
    private void noticed() {
        notified.increment();
        if (feedQueued.compareAndSet(false, true)) {
            try {
                timer().execute(() -> {
                    feedQueued.set(false);
                    readFeed();
                });
            } catch (RejectedExecutionException closing) {
                feedQueued.set(false);
            }
        }
    }

    /** One turn of the change feed: the doorbells changed since the last turn go into the cache and answer their held polls. */
    void readFeed() {
        try {
            long seen = clock;
            long[] now = {seen};
            List<HostRows.Bell> changes = lab.store().read(h -> {
                now[0] = HostRows.bellClock(h);
                return now[0] == seen ? List.<HostRows.Bell>of() : HostRows.bellChanges(h, seen, now[0]);
            });
            // the clock moves first: what a change answers (a lab's hosts, LabTokens) is read as of it
            clock = now[0];
            changes.forEach(this::changed);
        } catch (RuntimeException e) {
            // the store is away: polls are answered from the cache, and this turn is read again on the next
            LOG.warn("doorbell: could not read the store's change feed ({}); trying again in {}", e.getMessage(), FEED_EVERY);
        }
    }

    /** A host's bell as read after a change: into the cache (unless older than what it holds), then to its held polls. */
    private void changed(HostRows.Bell read) {
        // the feed runs before anything enters the cache, or a later change made elsewhere would never reach it
        startFeed();
        HostRows.Bell bell = cache.merge(read.host(), read, Doorbell::newer);
        for (HeldPolls<LabPoll>.Poll poll : labHeld.all()) {
            LabPoll lab = poll.value();
            if (lab.heldHosts().contains(read.host()) || lab.hosts().get().contains(read.host())) {
                checkLab(poll);
            }
        }
        for (HeldPolls<HostPoll>.Poll poll : held.of(read.host())) {
            answer(poll, bell);
        }
    }

    @Override
    public void answered(String host, boolean modified) {
        modified(host, modified);
    }

    private void modified(String host, boolean modified) {
        (modified ? changed : unchanged).increment();
        unsaved.merge(host, new Polls(1, lab.now()), Polls::plus);
    }

    /**
     * Adds the polls answered since the last save to the store's counts and reads everyone's back
     * (other nodes' polls included); on a failure they stay unsaved for the next turn.
     */
    void savePolls() {
        Map<String, Polls> batch = Map.copyOf(unsaved);
        try {
            if (!batch.isEmpty()) {
                lab.store().tx(h -> {
                    PollRows.add(h, batch);
                    return null;
                });
                batch.forEach((host, p) -> unsaved.computeIfPresent(host,
                        (h, now) -> now.count() == p.count() ? null : new Polls(now.count() - p.count(), now.last())));
            }
            saved = lab.store().read(PollRows::all);
        } catch (RuntimeException e) {
            LOG.warn("doorbell: could not save the poll counts ({}); trying again in {}", e.getMessage(), SAVE_POLLS_EVERY);
        }
    }

    /** A host served by a lab gateway: the lab, and when its gateway last synced the host's folder. */
    public record GatewaySync(String lab, Instant at) {
    }

    private final ConcurrentHashMap<String, GatewaySync> gatewaySyncs = new ConcurrentHashMap<>();

    /** The gateway of {@code lab} synced {@code host} (listed its current/) through this server. */
    public void gatewaySynced(String host, String lab) {
        gatewaySyncs.put(host, new GatewaySync(lab, this.lab.now()));
    }

    /** When a lab gateway last synced the host through this server, if one has since it started. */
    public Optional<GatewaySync> gatewaySync(String host) {
        return Optional.ofNullable(gatewaySyncs.get(host));
    }

    /**
     * The host's answered polls, by every server on this store (zero and no time when none): the
     * store's count, which other nodes add to every {@link #SAVE_POLLS_EVERY}, and this server's
     * polls not yet added.
     */
    public Polls polls(String host) {
        startFeed();
        return saved.getOrDefault(host, Polls.NONE).plus(unsaved.getOrDefault(host, Polls.NONE));
    }

    /**
     * Holds a poll of {@code host} that has seen generation {@code seen} for up to {@code wait}
     * ({@link #MAX_WAIT} at most); empty when the limits are reached ({@link #MAX_HELD_PER_HOST},
     * {@link #MAX_HELD}), and the poll is then to be refused, not answered at once, so that no agent
     * turns a full server into a busy loop.
     */
    @Override
    public Optional<? extends HeldPoll> hold(String host, long seen, Duration wait, Answer answer) {
        checkWait(wait);
        Optional<HeldPolls<HostPoll>.Poll> poll = held.hold(host, new HostPoll(host, seen, answer), wait, this::answerUnchanged);
        // A change between the caller's read and this hold found no poll to answer, but it was put
        // into the cache before that, so this read sees it.
        poll.ifPresent(p -> answer(p, cached(host)));
        return poll;
    }

    /** Answers a held poll of a host whose doorbell is now {@code bell} (null: gone), if that is news to it. */
    private void answer(HeldPolls<HostPoll>.Poll poll, HostRows.Bell bell) {
        HostPoll p = poll.value();
        if (bell == null || bell.retired()) {
            if (poll.finish()) {
                answerUnchanged(p);
            }
        } else if (bell.generation() != p.seen() && poll.finish()) {
            modified(p.host(), true);
            p.answer().changed(bell.generation());
        }
    }

    private void answerUnchanged(HostPoll poll) {
        modified(poll.host(), false);
        poll.answer().unchanged();
    }

    private static void checkWait(Duration wait) {
        if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("wait " + wait + " is outside 0.." + MAX_WAIT);
        }
    }

    /** The doorbell of a lab of {@code hosts} (retired and unknown hosts left out). */
    public LabBell labBell(List<String> hosts) {
        Map<String, Long> generations = new TreeMap<>();
        Map<String, String> tokens = new TreeMap<>();
        for (String host : hosts) {
            HostRows.Bell bell = Names.isValid(host) ? cached(host) : null;
            if (bell != null && !bell.retired()) {
                generations.put(host, bell.generation());
                tokens.put(host, bell.tokenHash() == null ? "" : bell.tokenHash());
            }
        }
        String tag = Tokens.hash(generations + " " + tokens).substring(0, 16);
        return new LabBell(generations, tokens, tag);
    }

    /**
     * Holds a lab's poll that has seen {@code seen} (a {@link LabBell#tag}) for up to {@code wait}
     * ({@code hosts}: the lab's hosts as they are when asked); answered at once when the tag is
     * already another. Empty when {@link #MAX_HELD} polls are held, or {@link #MAX_HELD_PER_HOST}
     * of this lab's (the poll is then refused).
     */
    public Optional<? extends HeldPoll> holdLab(String lab, Supplier<List<String>> hosts, String seen, Duration wait,
                                                Consumer<LabBell> answer) {
        checkWait(wait);
        Optional<HeldPolls<LabPoll>.Poll> poll = labHeld.hold(lab, new LabPoll(hosts, List.copyOf(hosts.get()), seen, answer),
                wait, p -> p.answer().accept(labBell(p.hosts().get())));
        poll.ifPresent(this::checkLab);
        return poll;
    }

    /** Answers a lab's held poll when its tag moved. */
    private void checkLab(HeldPolls<LabPoll>.Poll poll) {
        LabPoll p = poll.value();
        LabBell bell = labBell(p.hosts().get());
        if (!bell.tag().equals(p.seen()) && poll.finish()) {
            p.answer().accept(bell);
        }
    }

    /** The bell clock as the change feed last read it: moves whenever any host's doorbell changed in the store. */
    long feedClock() {
        return clock;
    }

    @Override
    public int maxHeldPerHost() {
        return MAX_HELD_PER_HOST;
    }

    @Override
    public int maxHeld() {
        return MAX_HELD;
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
        lab.store().read(h -> HostRows.bell(h, host)).ifPresent(this::changed);
    }

    /**
     * The one thread that answers held polls whose wait ran out (one timer entry each, removed when
     * answered earlier) and reads the change feed.
     */
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
        notices.ifPresent(BellNotices::close);
        if (timer != null) {
            timer.shutdownNow();
        }
        for (HeldPolls<HostPoll>.Poll poll : held.all()) {
            if (poll.finish()) {
                answerUnchanged(poll.value());
            }
        }
        for (HeldPolls<LabPoll>.Poll poll : labHeld.all()) {
            if (poll.finish()) {
                poll.value().answer().accept(labBell(poll.value().hosts().get()));
            }
        }
        if (clock >= 0) {
            savePolls();
        }
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
        rang(host);
        return token;
    }
}
