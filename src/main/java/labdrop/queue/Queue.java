package labdrop.queue;

import java.time.Instant;
import java.util.Optional;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.HostRows;
import labdrop.store.PlacementRows;
import labdrop.store.RequestRows;
import org.jdbi.v3.core.Handle;

/**
 * Places the next queued request of a host when the host is Available and has nothing placed.
 * Called, with the host's row locked, after every event that can free a host: filing,
 * activation, a state report, a result, a cancel, the watchdog.
 */
public final class Queue {
    private Queue() {
    }

    public static Optional<Request> release(Handle h, Host host, Instant now) {
        if (RequestRows.active(h, host.name()).isPresent()) {
            return Optional.empty();
        }
        HostState state = settled(host);
        if (state != host.state()) {
            HostRows.setState(h, host.name(), state, now);
        }
        if (state != HostState.AVAILABLE) {
            return Optional.empty();
        }
        Optional<Request> next = RequestRows.queued(h, host.name()).stream().findFirst();
        next.ifPresent(request -> {
            RequestRows.setState(h, request.number(), RequestState.PLACED, null, now);
            PlacementRows.add(h, request.number(), host.name(), Placer.PLACE, now);
            HostRows.setState(h, host.name(), HostState.PENDING, now);
        });
        return next;
    }

    /**
     * Pending means "a request waits to be picked up". With nothing placed any more (it finished,
     * was cancelled or aborted, possibly before the SUT's pick-up report was seen) the host is
     * whatever the SUT last reported, Available if it never reported.
     */
    private static HostState settled(Host host) {
        if (host.state() != HostState.PENDING) {
            return host.state();
        }
        return host.reportedStatus() == null ? HostState.AVAILABLE : HostState.valueOf(host.reportedStatus());
    }

    /** Locks the host and releases; for callers outside a host-locked transaction. */
    public static void release(Handle h, String host, Instant now) {
        HostRows.lock(h, host).ifPresent(locked -> release(h, locked, now));
    }
}
