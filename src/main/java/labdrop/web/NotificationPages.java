package labdrop.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.error.LabdropException;
import labdrop.event.MailSubscription;
import labdrop.host.HostTypes;

/** {@code /notifications}: what the logged-in user is mailed about (their own requests and jobs, new regressions on host types). */
final class NotificationPages {
    private final WebServices services;
    private final Pages pages;

    NotificationPages(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
    }

    void view(Exchange x) {
        view(x, null, null, 200);
    }

    private void view(Exchange x, String error, String saved, int status) {
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(x.user()));
        Optional<MailSubscription> s = services.notifications().subscription(x.user().name());
        values.put("error", error);
        values.put("saved", saved);
        values.put("mailEnabled", services.notifications().mailEnabled());
        values.put("email", s.map(MailSubscription::email).orElse(""));
        values.put("ownRequests", s.map(MailSubscription::ownRequests).orElse(false));
        values.put("chosen", s.map(MailSubscription::regressionTypes).orElse(List.of()));
        try {
            values.put("types", services.lab().hostTypes().list());
        } catch (IOException e) {
            values.put("types", List.of(HostTypes.DEFAULT));
        }
        x.html(status, pages.render("notifications.peb", values));
    }

    /** POST /notifications (email, ownRequests, type…): saves, then shows the page again. */
    void save(Exchange x) {
        try {
            Optional<MailSubscription> s = services.notifications().subscribe(x.user().name(), x.form("email"),
                    "true".equals(x.form("ownRequests")), x.formValues("type"));
            view(x, null, s.isPresent() ? "saved: mail goes to " + s.get().email() : "saved: no mail", 200);
        } catch (LabdropException e) {
            view(x, e.getMessage(), null, Errors.status(e));
        }
    }
}
