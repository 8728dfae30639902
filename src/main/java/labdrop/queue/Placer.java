package labdrop.queue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import labdrop.drop.AtomicFiles;
import labdrop.lab.Lab;
import labdrop.lab.LabMetrics;
import labdrop.log.LogContext;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.request.RequestXml;
import labdrop.store.HostRows;
import labdrop.store.PlacementRows;
import labdrop.store.RequestRows;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the placements outbox: writes each placed request's XML into the drop (temp name,
 * fsync, rename) or removes it, then marks the placement done, host by host with the host's row
 * locked. A crash between the write and the mark only repeats a write of the same bytes.
 */
public final class Placer {
    static final String PLACE = "place";
    public static final String REMOVE = "remove";
    private static final Logger LOG = LoggerFactory.getLogger(Placer.class);
    private final Lab lab;
    private final LabMetrics metrics;
    private final Doorbell doorbell;
    private final boolean fenced;

    /** {@code fenced}: request files carry their placement epoch (the nodes of a cluster, docs/cluster.md). */
    public Placer(Lab lab, LabMetrics metrics, Doorbell doorbell, boolean fenced) {
        this.lab = lab;
        this.metrics = metrics;
        this.doorbell = doorbell;
        this.fenced = fenced;
    }

    /**
     * Places everything pending; returns how many placements were done. Camel's placer route calls
     * this. A host whose placement fails (its folder cannot be written) is skipped for the rest of
     * this drain and retried at the next one, so no host's trouble holds up the others.
     */
    public int drain() {
        int done = 0;
        Set<String> failed = new HashSet<>();
        while (true) {
            List<String> hosts = lab.store().read(h -> PlacementRows.hostsWithPending(h, 100 + failed.size()))
                    .stream().filter(host -> !failed.contains(host)).toList();
            if (hosts.isEmpty()) {
                return done;
            }
            for (String host : hosts) {
                try (LogContext ignored = LogContext.host(host)) {
                    try {
                        done += lab.store().tx(h -> drainHost(h, host));
                    } catch (RuntimeException e) {
                        failed.add(host);
                        LOG.warn("host '{}': placement failed, retried at the next drain; other hosts go on", host, e);
                    }
                }
            }
        }
    }

    private int drainHost(Handle h, String host) {
        HostRows.lock(h, host);
        List<PlacementRows.Pending> pending = PlacementRows.pendingFor(h, host);
        for (PlacementRows.Pending p : pending) {
            Request request = RequestRows.find(h, p.requestNumber()).orElseThrow();
            Path file = lab.drop().requestFile(host, request.id());
            try (LogContext ignored = LogContext.request(host, request.id())) {
                if (PLACE.equals(p.action()) && request.state().isActive()) {
                    byte[] xml;
                    try {
                        xml = RequestXml.render(request, fenced);
                    } catch (RuntimeException e) {
                        refuse(h, host, request, e);
                        PlacementRows.markDone(h, p.id(), lab.now());
                        continue;
                    }
                    if (!AtomicFiles.hasContent(file, xml)) {
                        AtomicFiles.write(file, xml);
                    }
                    LOG.info("placed {} for host '{}' as {}", request.id(), host, file);
                } else if (REMOVE.equals(p.action()) || !request.state().isActive()) {
                    if (AtomicFiles.delete(file)) {
                        LOG.info("removed {} from host '{}' ({})", request.id(), host, request.state().label());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("host '" + host + "': cannot place " + request.id() + " at " + file
                        + ": " + e.getMessage() + "; it stays pending and is retried", e);
            }
            PlacementRows.markDone(h, p.id(), lab.now());
            if (PLACE.equals(p.action())) {
                metrics.placed(Duration.between(p.createdAt(), lab.now()));
            }
        }
        if (!pending.isEmpty()) {
            doorbell.ring(h, host);
        }
        return pending.size();
    }

    /**
     * A stored request that does not render into a valid request file (one filed before today's
     * limits, or changed in the store by hand) ends as Error with the reason; the host's queue
     * goes on with the next request.
     */
    private void refuse(Handle h, String host, Request request, RuntimeException e) {
        LOG.warn("host '{}': {} cannot be written as a request file and ends as Error", host, request.id(), e);
        RequestRows.setState(h, request.number(), RequestState.ERROR, "the server could not write this request's file ("
                + cut(e.getMessage()) + "); file it again within the limits in docs/security.md", lab.now());
        HostRows.lock(h, host).ifPresent(locked -> Queue.release(h, locked, lab.now()));
    }

    private static String cut(String message) {
        return message == null || message.length() <= 1000 ? message : message.substring(0, 1000) + "...";
    }

    /**
     * Rewrites the file of every Placed request whose file is missing from the drop (a restored
     * backup, a drop cleared by hand): {@code current/} is a projection of the store. Same id, same
     * bytes; requests already picked up are the SUT's and left alone. Returns how many were written.
     */
    public int restore() {
        int written = 0;
        for (Request request : lab.store().read(RequestRows::allActive)) {
            if (request.state() != RequestState.PLACED) {
                continue;
            }
            Path file = lab.drop().requestFile(request.host(), request.id());
            if (Files.exists(file)) {
                continue;
            }
            try {
                AtomicFiles.write(file, RequestXml.render(request, fenced));
            } catch (RuntimeException e) {
                LOG.warn("host '{}': {} cannot be written as a request file; the next placement ends it", request.host(),
                        request.id(), e);
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException("host '" + request.host() + "': cannot restore " + request.id() + " at " + file, e);
            }
            lab.store().tx(h -> {
                doorbell.ring(h, request.host());
                return null;
            });
            LOG.info("restored {} for host '{}' from the store", request.id(), request.host());
            written++;
        }
        return written;
    }

    /** Clears temporaries a crash left in the folders the server writes (current/ and config/). */
    public int removeTemporaryFiles() throws IOException {
        int removed = 0;
        if (!Files.isDirectory(lab.drop().root())) {
            return 0;
        }
        for (var host : lab.store().read(HostRows::all)) {
            removed += AtomicFiles.removeTemporaryFiles(lab.drop().currentDir(host.name()));
            removed += AtomicFiles.removeTemporaryFiles(lab.drop().configDir(host.name()));
        }
        return removed;
    }
}
