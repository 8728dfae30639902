package labdrop.web;

import java.io.IOException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import labdrop.error.BadInputException;
import labdrop.event.Delivery;
import labdrop.event.EventKind;
import labdrop.event.MailSubscription;
import labdrop.event.Webhook;
import labdrop.notify.Notifications;

/**
 * {@code /api/v1/webhooks} (admins: register, list with their latest deliveries, remove) and
 * {@code /api/v1/me/notifications} (each user: what they are mailed about).
 */
final class NotificationsApi {
    /** Deliveries listed per webhook in the list; one webhook's page gives {@link Notifications#RECENT}. */
    static final int LISTED = 20;
    private final WebServices services;

    NotificationsApi(WebServices services) {
        this.services = services;
    }

    void routes(Router<ApiCall> router) {
        router.add("GET", "/webhooks", x -> {
            Access.requireAdmin(x.user(), "see webhooks");
            return services.notifications().list(LISTED).stream().map(NotificationsApi::webhook).toList();
        }).add("POST", "/webhooks", this::add)
                .add("GET", "/webhooks/{id}", x -> {
                    Access.requireAdmin(x.user(), "see webhooks");
                    return webhook(services.notifications().find(id(x.param("id")), Notifications.RECENT));
                })
                .add("DELETE", "/webhooks/{id}", x -> {
                    Access.requireAdmin(x.user(), "remove webhooks");
                    long id = id(x.param("id"));
                    services.notifications().remove(id);
                    return Map.of("removed", id);
                })
                .add("GET", "/me/notifications", x -> subscription(x.user().name()))
                .add("PUT", "/me/notifications", this::subscribe);
    }

    private Object add(Call x) throws IOException {
        Access.requireAdmin(x.user(), "register webhooks");
        JsonBody body = x.json();
        Webhook w = services.notifications().add(body.text("url", true), body.text("secret", true),
                events(body.strings("events")), x.user().name());
        x.created();
        return webhook(services.notifications().find(w.id(), 0));
    }

    private Object subscribe(Call x) throws IOException {
        JsonBody body = x.json();
        List<String> types = body.strings("regressionTypes");
        if (types.size() > MailSubscription.MAX_TYPES) {
            throw new BadInputException(types.size() + " host types in \"regressionTypes\"; at most " + MailSubscription.MAX_TYPES);
        }
        services.notifications().subscribe(x.user().name(), body.text("email", false), body.flag("ownRequests"), types);
        return subscription(x.user().name());
    }

    private Map<String, Object> subscription(String user) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", user);
        m.put("mailEnabled", services.notifications().mailEnabled());
        services.notifications().subscription(user).ifPresentOrElse(s -> {
            m.put("email", s.email());
            m.put("ownRequests", s.ownRequests());
            m.put("regressionTypes", s.regressionTypes());
        }, () -> {
            m.put("email", null);
            m.put("ownRequests", false);
            m.put("regressionTypes", List.of());
        });
        return m;
    }

    static Set<EventKind> events(List<String> labels) {
        if (labels.size() > EventKind.values().length) {
            throw new BadInputException(labels.size() + " events named; there are " + EventKind.values().length + ": "
                    + EventKind.allLabels());
        }
        Set<EventKind> events = EnumSet.noneOf(EventKind.class);
        labels.forEach(l -> events.add(EventKind.of(l)));
        return events;
    }

    static long id(String text) {
        if (text == null || !text.matches("[0-9]{1,18}")) {
            throw new BadInputException("webhook id '" + text + "' is not a number; GET /api/v1/webhooks lists them");
        }
        return Long.parseLong(text);
    }

    static Map<String, Object> webhook(Notifications.WebhookView v) {
        Webhook w = v.webhook();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("url", w.shownUrl());
        m.put("events", w.events().stream().sorted().map(EventKind::label).toList());
        m.put("createdBy", w.createdBy());
        m.put("createdAt", ApiViews.time(w.createdAt()));
        m.put("failuresInRow", w.failures());
        m.put("retryAt", w.retryAt() == null ? null : ApiViews.time(w.retryAt()));
        m.put("pending", v.pending());
        m.put("deliveries", v.recent().stream().map(NotificationsApi::delivery).toList());
        return m;
    }

    static Map<String, Object> delivery(Delivery d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("event", d.kind().label());
        m.put("eventId", d.eventId());
        m.put("host", d.hostKey().isEmpty() ? null : d.hostKey());
        m.put("status", d.status().label());
        m.put("attempts", d.attempts());
        m.put("createdAt", ApiViews.time(d.createdAt()));
        m.put("nextTry", d.status() == Delivery.Status.PENDING ? ApiViews.time(d.nextAt()) : null);
        m.put("doneAt", d.doneAt() == null ? null : ApiViews.time(d.doneAt()));
        m.put("lastStatus", d.lastStatus());
        m.put("lastError", d.lastError());
        return m;
    }
}
