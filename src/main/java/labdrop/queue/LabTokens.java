package labdrop.queue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.drop.Names;
import labdrop.error.NotFoundException;
import labdrop.lab.Lab;
import labdrop.store.KeyRows;
import labdrop.user.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labs' doorbell tokens ({@code labdrop lab token LAB}): a lab's gateway reads the lab's doorbell
 * over HTTP with one, and opens its SSH login to the server only when something changed. Only a
 * token's SHA-256 is stored. Polls are checked against one snapshot of every lab's token hash and
 * hosts, read again at most once every {@link Doorbell#FEED_EVERY} and whenever the doorbell's change
 * feed moved (a host joining or leaving a lab moves its doorbell): a poll costs a map lookup and a
 * SHA-256, a flood of unknown lab names or wrong tokens reads the store at most once a second, and a
 * new token, a revoked one or a changed set of hosts is seen within that second.
 */
public final class LabTokens {
    private static final Logger LOG = LoggerFactory.getLogger(LabTokens.class);
    private final Lab lab;
    private final Doorbell doorbell;
    private volatile Snapshot snapshot;

    /** What was read, when, and the bell clock then: a lab's hosts changing moves a host's doorbell (KeyRegistry). */
    private record Snapshot(long readAt, long bellClock, Map<String, KeyRows.LabToken> labs) {
        boolean fresh(long now, long clock) {
            return now - readAt < Doorbell.FEED_EVERY.toNanos() && bellClock == clock;
        }
    }

    public LabTokens(Lab lab, Doorbell doorbell) {
        this.lab = lab;
        this.doorbell = doorbell;
    }

    /** Issues a new doorbell token for the lab (the old one stops working) and returns it. */
    public String issue(String name) {
        Names.require("lab", name);
        String token = Tokens.newToken();
        boolean found = lab.store().tx(h -> KeyRows.setLabTokenHash(h, name, Tokens.hash(token)));
        if (!found) {
            throw new NotFoundException("no lab '" + name + "'; labdrop lab list shows the labs");
        }
        snapshot = null;
        return token;
    }

    /** The lab's hosts (not retired, sorted) when {@code token} is the lab's doorbell token; empty otherwise. */
    public Optional<List<String>> hosts(String name, String token) {
        if (name == null || token == null || !Names.isValid(name)) {
            return Optional.empty();
        }
        KeyRows.LabToken row = current().get(name);
        if (row == null || !MessageDigest.isEqual(row.tokenHash().getBytes(StandardCharsets.US_ASCII),
                Tokens.hash(token).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        return Optional.of(row.hosts());
    }

    private Map<String, KeyRows.LabToken> current() {
        Snapshot seen = snapshot;
        if (seen != null && seen.fresh(System.nanoTime(), doorbell.feedClock())) {
            return seen.labs();
        }
        synchronized (this) {
            seen = snapshot;
            long clock = doorbell.feedClock();
            if (seen != null && seen.fresh(System.nanoTime(), clock)) {
                return seen.labs();
            }
            try {
                Snapshot read = new Snapshot(System.nanoTime(), clock, lab.store().read(KeyRows::labTokens));
                snapshot = read;
                return read.labs();
            } catch (RuntimeException e) {
                // the store is away: the last snapshot answers until it is back
                LOG.warn("lab doorbell tokens: could not read the store ({})", e.getMessage());
                return seen == null ? Map.of() : seen.labs();
            }
        }
    }
}
