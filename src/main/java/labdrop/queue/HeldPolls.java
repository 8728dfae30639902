package labdrop.queue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Long-polls held without a thread, by key (a host, a lab): each is a value in a map and an entry
 * in one timer, answered once, by its owner ({@link Poll#finish}), its deadline or its client
 * leaving. At most {@code perKey} are held per key and {@code max} in all ({@code total} may be
 * shared by several such registries); beyond that a poll is refused. The server's doorbell holds
 * its hosts' and labs' polls here, a lab gateway its SUTs'.
 *
 * @param <T> what a poll carries: what it has seen and how it is answered
 */
public final class HeldPolls<T> {
    private final int perKey;
    private final int max;
    private final AtomicInteger total;
    private final Supplier<? extends ScheduledExecutorService> timer;
    private final ConcurrentHashMap<String, Set<Poll>> byKey = new ConcurrentHashMap<>();

    /** One held poll. */
    public final class Poll implements Generations.HeldPoll {
        private final String key;
        private final T value;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        private Poll(String key, T value) {
            this.key = key;
            this.value = value;
        }

        public T value() {
            return value;
        }

        /** Takes the poll out of the registry: true for the one caller that is to answer it. */
        public boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> pending = timeout;
            if (pending != null) {
                pending.cancel(false);
            }
            byKey.computeIfPresent(key, (k, of) -> {
                of.remove(this);
                return of.isEmpty() ? null : of;
            });
            total.decrementAndGet();
            return true;
        }

        @Override
        public void cancel() {
            finish();
        }
    }

    public HeldPolls(int perKey, int max, AtomicInteger total, Supplier<? extends ScheduledExecutorService> timer) {
        this.perKey = perKey;
        this.max = max;
        this.total = total;
        this.timer = timer;
    }

    /**
     * Holds {@code value} under {@code key} for {@code wait}; when no one answers it first,
     * {@code expired} gets it then. Empty when {@code perKey} polls of the key or {@code max} in all
     * are held.
     */
    public Optional<Poll> hold(String key, T value, Duration wait, Consumer<T> expired) {
        if (total.incrementAndGet() > max) {
            total.decrementAndGet();
            return Optional.empty();
        }
        Poll poll = new Poll(key, value);
        Set<Poll> of = byKey.compute(key, (k, set) -> {
            Set<Poll> polls = set != null ? set : ConcurrentHashMap.newKeySet();
            if (polls.size() < perKey) {
                polls.add(poll);
            }
            return polls;
        });
        if (!of.contains(poll)) {
            total.decrementAndGet();
            return Optional.empty();
        }
        poll.timeout = timer.get().schedule(() -> {
            if (poll.finish()) {
                expired.accept(value);
            }
        }, wait.toNanos(), TimeUnit.NANOSECONDS);
        return Optional.of(poll);
    }

    /** The polls held under {@code key} now. */
    public List<Poll> of(String key) {
        Set<Poll> of = byKey.get(key);
        return of == null ? List.of() : List.copyOf(of);
    }

    /** Every poll held now. */
    public List<Poll> all() {
        return byKey.values().stream().flatMap(Set::stream).toList();
    }
}
