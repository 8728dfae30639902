package labdrop.notify;

import jakarta.mail.MessagingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import labdrop.config.ServerConfig;
import labdrop.event.Delivery;
import labdrop.event.Event;
import labdrop.event.EventKind;
import labdrop.event.MailSubscription;
import labdrop.event.Retries;
import labdrop.event.Webhook;
import labdrop.lab.Lab;
import labdrop.lab.LabMetrics;
import labdrop.request.Job;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.EventRows;
import labdrop.store.LeaseRows;
import labdrop.store.MailRows;
import labdrop.store.RequestRows;
import labdrop.store.WebhookRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the events written by the lab's transactions into webhook deliveries and mail, and sends
 * them: the notify route calls {@link #tick} every {@code notify.interval}. Each webhook (and the
 * mail server) is served by at most one task at a time on a small pool of threads, so a dead or
 * slow receiver holds up only its own deliveries, never filing, ingest or the other receivers.
 * Deliveries are at least once, in order per host; an unreachable receiver is tried again after
 * a doubling wait ({@link Retries}).
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    /** Events fanned out per transaction. */
    static final int FAN_OUT_BATCH = 200;
    /** Deliveries read per round, and sent at most per task run. */
    static final int ROUND = 50;
    static final int PER_RUN = 2000;
    private static final int THREADS = 4;
    private final Lab lab;
    private final LabMetrics metrics;
    private final ServerConfig.Notify config;
    private final Retries retries;
    private final EventBodies bodies;
    private final WebhookSender sender;
    private final MailSender mail;
    private final Set<Long> busy = ConcurrentHashMap.newKeySet();
    /** This node's id on a cluster, where each piece of work is done under its lease; empty: a single server. */
    private final String node;
    /** How long a lease lasts: longer than a node's transaction may stay idle, and than one send may take. */
    private final Duration lease;
    private ExecutorService pool;
    private Instant lastPrune = Instant.EPOCH;

    /**
     * {@code node}: this node's id on a cluster (docs/cluster.md), empty for a single server. On a
     * cluster, events are fanned out, and a
     * webhook's or the mail outbox's deliveries sent, by one node at a time, the one holding that
     * work's lease in the store (renewed before each send; another node takes over when it runs out).
     */
    public Notifier(Lab lab, ServerConfig.Notify config, LabMetrics metrics, String node) {
        this.node = node;
        this.lease = Duration.ofSeconds(60).plus(config.timeout());
        this.lab = lab;
        this.metrics = metrics;
        this.config = config;
        this.retries = new Retries(config.retryFirst(), config.retryLongest(), config.giveUpAfter());
        this.bodies = new EventBodies(config.linkBase());
        this.sender = new WebhookSender(config.timeout());
        this.mail = config.mail().enabled() ? new MailSender(config.mail(), config.timeout()) : null;
    }

    /** One pass: fan out new events, start a task for each receiver with due deliveries, prune old ones. */
    public void tick() {
        try {
            while (hold(FAN_OUT) && fanOut() == FAN_OUT_BATCH) {
                // a burst of events: go on until they are all fanned out
            }
        } finally {
            release(FAN_OUT);
        }
        Instant now = lab.now();
        for (Webhook w : lab.store().read(WebhookRows::all)) {
            if (w.retryAt() == null || !w.retryAt().isAfter(now)) {
                start(w.id(), () -> {
                    try {
                        deliver(w.id());
                    } finally {
                        release(WEBHOOK + w.id());
                    }
                });
            }
        }
        if (mail != null) {
            start(-1L, () -> {
                try {
                    sendMail();
                } finally {
                    release(MAIL);
                }
            });
        }
        if (now.isAfter(lastPrune.plusSeconds(60))) {
            lastPrune = now;
            lab.store().tx(h -> WebhookRows.prune(h, now.minus(config.keep())) + MailRows.prune(h, now.minus(config.keep()))
                    + EventRows.prune(h, now.minus(config.keep())));
        }
    }

    /** Fans out up to one batch of events in one transaction; returns how many. */
    int fanOut() {
        List<RequestState> finished = new ArrayList<>();
        int fanned = lab.store().tx(h -> {
            finished.clear();
            List<Event> events = EventRows.open(h, FAN_OUT_BATCH);
            if (events.isEmpty()) {
                return 0;
            }
            Instant now = lab.now();
            List<Webhook> hooks = WebhookRows.all(h);
            List<MailSubscription> subscribers = mail == null ? List.of() : MailRows.all(h);
            for (Event e : events) {
                List<Webhook> wanting = hooks.stream().filter(w -> w.wants(e.kind())).toList();
                if (!wanting.isEmpty() || !subscribers.isEmpty()) {
                    EventBodies.Facts facts = bodies.facts(h, e);
                    if (!wanting.isEmpty()) {
                        String json = bodies.json(facts);
                        wanting.forEach(w -> WebhookRows.addDelivery(h, w.id(), e.id(), e.kind(), e.orderKey(), json, now));
                    }
                    Set<String> to = recipients(facts, subscribers);
                    if (!to.isEmpty()) {
                        String subject = bodies.subject(facts);
                        String text = bodies.text(facts);
                        to.forEach(address -> MailRows.add(h, e.id(), address, subject, text, now));
                    }
                }
                if (e.kind() == EventKind.REQUEST_FINISHED && e.requestNum() != null) {
                    RequestRows.find(h, e.requestNum()).map(Request::state).ifPresent(finished::add);
                }
                if (e.kind() == EventKind.REQUEST_FINISHED && e.jobNum() != null
                        && EventRows.claimJobFinished(h, e.jobNum(), now)) {
                    EventRows.add(h, EventKind.JOB_FINISHED, null, null, e.jobNum(), Job.idOf(e.jobNum()) + " finished", now);
                }
                EventRows.fanned(h, e.id(), now);
            }
            return events.size();
        });
        finished.forEach(metrics::finished);
        return fanned;
    }

    /**
     * Who is mailed about an event: the requester of a finished request (not of each member of a
     * job: the job's mail tells them all) or job, when they asked for their own; for a new
     * regression, whoever asked for regressions on its host type.
     */
    static Set<String> recipients(EventBodies.Facts facts, List<MailSubscription> subscribers) {
        Set<String> to = new LinkedHashSet<>();
        Event e = facts.event();
        Optional<String> owner = switch (e.kind()) {
            case REQUEST_FINISHED -> facts.request().filter(r -> r.job() == null).map(r -> r.requester());
            case JOB_FINISHED -> facts.job().map(Job::requester);
            default -> Optional.empty();
        };
        owner.ifPresent(user -> subscribers.stream().filter(s -> s.user().equals(user) && s.ownRequests())
                .forEach(s -> to.add(s.email())));
        if (e.kind() == EventKind.REGRESSION) {
            facts.host().ifPresent(host -> subscribers.stream().filter(s -> s.wantsRegressionsOn(host.type()))
                    .forEach(s -> to.add(s.email())));
        }
        return to;
    }

    static final String FAN_OUT = "fan-out";
    static final String WEBHOOK = "webhook-";
    static final String MAIL = "mail";

    /** True when this server may do notification work {@code name} now: always when alone; on a cluster while it holds the lease. */
    private boolean hold(String name) {
        if (node.isEmpty()) {
            return true;
        }
        Instant now = lab.now();
        return lab.store().tx(h -> LeaseRows.hold(h, name, node, now, now.plus(lease)));
    }

    private void release(String name) {
        if (!node.isEmpty()) {
            lab.store().tx(h -> {
                LeaseRows.release(h, name, node);
                return null;
            });
        }
    }

    private void start(long key, Runnable task) {
        if (!busy.add(key)) {
            return;
        }
        try {
            executor().execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("notifications: {}", e.getMessage(), e);
                } finally {
                    busy.remove(key);
                }
            });
        } catch (RejectedExecutionException e) {
            busy.remove(key);
        }
    }

    /** Sends the due deliveries of one webhook, in order per host, until none is due or its receiver fails. */
    private void deliver(long webhookId) {
        int sent = 0;
        while (sent < PER_RUN) {
            // the lease first: due deliveries read before it may be ones another node's run just sent
            if (!hold(WEBHOOK + webhookId)) {
                return;
            }
            Optional<Webhook> hook = lab.store().read(h -> WebhookRows.find(h, webhookId));
            if (hook.isEmpty()) {
                return;
            }
            List<Delivery> due = lab.store().read(h -> WebhookRows.due(h, webhookId, lab.now(), ROUND));
            if (due.isEmpty()) {
                return;
            }
            for (int i = 0; i < due.size(); i++) {
                Delivery d = due.get(i);
                // renewed before each later send (a slow receiver must not outlive the lease)
                if (i > 0 && !hold(WEBHOOK + webhookId)) {
                    return;
                }
                WebhookSender.Outcome outcome = sender.post(hook.get(), d);
                Instant now = lab.now();
                if (outcome.delivered()) {
                    lab.store().tx(h -> {
                        WebhookRows.delivered(h, d.id(), outcome.status(), now);
                        WebhookRows.reachable(h, webhookId);
                        return null;
                    });
                    sent++;
                    continue;
                }
                int failures = hook.get().failures() + 1;
                Instant retryAt = now.plus(retries.after(failures));
                boolean giveUp = retries.givenUp(d.createdAt(), now);
                lab.store().tx(h -> {
                    WebhookRows.failed(h, d.id(), outcome.status(), outcome.error(), giveUp ? null : retryAt, now);
                    WebhookRows.unreachable(h, webhookId, failures, retryAt);
                    return null;
                });
                LOG.warn("webhook {} ({}): delivery {} of {} failed ({}); {}", webhookId, hook.get().shownUrl(), d.id(),
                        d.kind().label(), outcome.error(), giveUp ? "given up after notify.give-up-after"
                                : "next try at " + retryAt);
                return;
            }
        }
    }

    /**
     * Why a mail failed, as an admin needs it: the message and the innermost cause's ("Could not
     * connect to SMTP host …: PKIX path building failed …"), not only the outermost.
     */
    static String reason(Throwable e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e) {
            why += ": " + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
        }
        return why;
    }

    /** Sends the due mail until none is due or the SMTP server fails. */
    private void sendMail() {
        AtomicInteger sent = new AtomicInteger();
        while (sent.get() < PER_RUN) {
            // the lease first, as for webhooks
            if (!hold(MAIL)) {
                return;
            }
            List<MailRows.Mail> due = lab.store().read(h -> MailRows.due(h, lab.now(), ROUND));
            if (due.isEmpty()) {
                return;
            }
            for (int i = 0; i < due.size(); i++) {
                MailRows.Mail m = due.get(i);
                if (i > 0 && !hold(MAIL)) {
                    return;
                }
                try {
                    mail.send(m.recipient(), m.subject(), m.body());
                    lab.store().tx(h -> {
                        MailRows.sent(h, m.id(), lab.now());
                        return null;
                    });
                    sent.incrementAndGet();
                } catch (MessagingException | RuntimeException e) {
                    Instant now = lab.now();
                    Instant next = retries.givenUp(m.createdAt(), now) ? null : now.plus(retries.after(m.attempts() + 1));
                    String why = reason(e);
                    lab.store().tx(h -> {
                        MailRows.failed(h, m.id(), Event.detail(why), next, now);
                        return null;
                    });
                    LOG.warn("mail to {} ({}) failed: {}; {}", m.recipient(), m.subject(), why,
                            next == null ? "given up after notify.give-up-after" : "next try at " + next);
                    return;
                }
            }
        }
    }

    private synchronized ExecutorService executor() {
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(THREADS, r -> {
                Thread t = new Thread(r, "labdrop-notify-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
