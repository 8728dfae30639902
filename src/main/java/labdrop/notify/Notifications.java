package labdrop.notify;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import labdrop.error.ConflictException;
import labdrop.error.NotFoundException;
import labdrop.event.Delivery;
import labdrop.event.EventKind;
import labdrop.event.MailSubscription;
import labdrop.event.Webhook;
import labdrop.lab.Lab;
import labdrop.store.MailRows;
import labdrop.store.WebhookRows;

/** Registering webhooks and reading their deliveries (admins; the web and API decide who), and users' mail subscriptions. */
public final class Notifications {
    /** Deliveries shown per webhook on the admin page and given by the API at most. */
    public static final int RECENT = 100;
    private final Lab lab;
    private final boolean mailEnabled;

    public Notifications(Lab lab, boolean mailEnabled) {
        this.lab = lab;
        this.mailEnabled = mailEnabled;
    }

    /** A webhook with how many deliveries wait and the latest ones, newest first. */
    public record WebhookView(Webhook webhook, int pending, List<Delivery> recent) {
    }

    public Webhook add(String url, String secret, Set<EventKind> events, String by) {
        Webhook draft = new Webhook(0, url == null ? null : url.strip(), secret, events, by, lab.now(), 0, null);
        return lab.store().tx(h -> {
            if (WebhookRows.count(h) >= Webhook.MAX) {
                throw new ConflictException("the lab already has " + Webhook.MAX
                        + " webhooks, the most it may have; remove one that is no longer used first");
            }
            return WebhookRows.find(h, WebhookRows.add(h, draft)).orElseThrow();
        });
    }

    public List<WebhookView> list(int recent) {
        return lab.store().read(h -> WebhookRows.all(h).stream()
                .map(w -> new WebhookView(w, WebhookRows.pending(h, w.id()), WebhookRows.recent(h, w.id(), recent)))
                .toList());
    }

    public WebhookView find(long id, int recent) {
        return lab.store().read(h -> WebhookRows.find(h, id)
                .map(w -> new WebhookView(w, WebhookRows.pending(h, w.id()), WebhookRows.recent(h, w.id(), recent))))
                .orElseThrow(() -> new NotFoundException("no webhook " + id + "; GET /api/v1/webhooks lists them"));
    }

    public void remove(long id) {
        find(id, 0);
        lab.store().tx(h -> {
            WebhookRows.remove(h, id);
            return null;
        });
    }

    public boolean mailEnabled() {
        return mailEnabled;
    }

    public Optional<MailSubscription> subscription(String user) {
        return lab.store().read(h -> MailRows.of(h, user));
    }

    /** Sets what {@code user} is mailed about; an empty address stops all mail to them. */
    public Optional<MailSubscription> subscribe(String user, String email, boolean ownRequests, List<String> regressionTypes) {
        if (email == null || email.isBlank()) {
            lab.store().tx(h -> {
                MailRows.unsubscribe(h, user);
                return null;
            });
            return Optional.empty();
        }
        MailSubscription s = new MailSubscription(user, email.strip(), ownRequests,
                regressionTypes.stream().map(String::strip).filter(t -> !t.isEmpty()).distinct().toList());
        lab.store().tx(h -> {
            MailRows.subscribe(h, s);
            return null;
        });
        return Optional.of(s);
    }
}
