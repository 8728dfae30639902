package labdrop.queue;

import java.time.Duration;
import java.util.Optional;

/**
 * Hosts' doorbells as their HTTP front ({@code web.DoorbellHandler}) reads them: a host's
 * generation for its own token, and a poll held until the generation moves or its wait runs out.
 * The server's {@link Doorbell} keeps them in the store; a lab gateway keeps its own for the SUTs
 * behind it.
 */
public interface Generations {
    /** How a held poll is answered, once: the host's new generation, or unchanged when its wait ran out. */
    interface Answer {
        void changed(long generation);

        void unchanged();
    }

    /** A poll being held. */
    interface HeldPoll {
        /** The client went away: forget the poll without answering it. */
        void cancel();
    }

    /** The host's generation, or empty when {@code token} is not the host's doorbell token (or there is no such host). */
    Optional<Long> generation(String host, String token);

    /**
     * Whether {@link #generation}, {@link #answered} and {@link #hold} for {@code host} work from
     * memory alone, never waiting on a store, a disk or a lock held across either (the server then
     * answers the host's polls on the network thread that read them: web/SelectorLane). False when unsure.
     */
    default boolean inMemory(String host) {
        return false;
    }

    /** A poll of {@code host} was answered at once, changed or not (for the counts). */
    void answered(String host, boolean modified);

    /**
     * Holds a poll of {@code host} that has seen generation {@code seen} for up to {@code wait};
     * empty when {@link #maxHeldPerHost()} or {@link #maxHeld()} polls are held (the poll is then
     * refused, never answered at once, so that no agent turns a full server into a busy loop).
     */
    Optional<? extends HeldPoll> hold(String host, long seen, Duration wait, Answer answer);

    /** Held polls one host may have. */
    int maxHeldPerHost();

    /** Held polls in all. */
    int maxHeld();
}
