package labdrop.server;

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
final class Queue {
    private Queue() {
    }

    static Optional<Request> release(Handle h, Host host, Instant now) {
        if (host.state() != HostState.AVAILABLE || RequestRows.active(h, host.name()).isPresent()) {
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

    /** Locks the host and releases; for callers outside a host-locked transaction. */
    static void release(Handle h, String host, Instant now) {
        HostRows.lock(h, host).ifPresent(locked -> release(h, locked, now));
    }
}
