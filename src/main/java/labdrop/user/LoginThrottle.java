package labdrop.user;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing, per account and per client address: the first {@link #FREE_FAILURES}
 * wrong passwords cost nothing but the check; each further one makes that account and that
 * address wait twice as long as the last time, from one second up to {@link #LONGEST_WAIT}
 * (a real user is never locked out for longer). A success clears both; {@link #FORGET_AFTER}
 * without failures does too. At most {@link #TRACKED} accounts and addresses are remembered
 * (the longest idle are forgotten first), so a flood cannot grow it.
 */
public final class LoginThrottle {
    public static final int FREE_FAILURES = 5;
    public static final Duration LONGEST_WAIT = Duration.ofSeconds(60);
    public static final Duration FORGET_AFTER = Duration.ofMinutes(15);
    public static final int TRACKED = 10_000;
    private final Clock clock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > TRACKED;
        }
    };

    private record Failures(int count, Instant last, Instant until) {
    }

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long the account or the address must wait before its next attempt is checked; zero when it may try now. */
    public synchronized Duration retryAfter(String account, String address) {
        Instant now = clock.instant();
        Duration wait = Duration.ZERO;
        for (String key : keys(account, address)) {
            Failures f = current(key, now);
            if (f != null && f.until().isAfter(now)) {
                Duration left = Duration.between(now, f.until());
                wait = left.compareTo(wait) > 0 ? left : wait;
            }
        }
        return wait;
    }

    /** A wrong password (or an unknown account) for {@code account} from {@code address}. */
    public synchronized void failed(String account, String address) {
        Instant now = clock.instant();
        for (String key : keys(account, address)) {
            Failures f = current(key, now);
            int count = f == null ? 1 : f.count() + 1;
            Instant until = now;
            if (count > FREE_FAILURES) {
                long seconds = 1L << Math.min(20, count - FREE_FAILURES - 1);
                until = now.plus(seconds >= LONGEST_WAIT.toSeconds() ? LONGEST_WAIT : Duration.ofSeconds(seconds));
            }
            failures.put(key, new Failures(count, now, until));
        }
    }

    /** A successful login: the account and the address start afresh. */
    public synchronized void succeeded(String account, String address) {
        for (String key : keys(account, address)) {
            failures.remove(key);
        }
    }

    private Failures current(String key, Instant now) {
        Failures f = failures.get(key);
        if (f != null && Duration.between(f.last(), now).compareTo(FORGET_AFTER) > 0) {
            failures.remove(key);
            return null;
        }
        return f;
    }

    private static String[] keys(String account, String address) {
        return new String[] {"account:" + account, "address:" + address};
    }
}
