package labdrop.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.admin.HostDraft;
import labdrop.error.BadInputException;
import labdrop.error.LabdropException;
import labdrop.event.EventKind;
import labdrop.host.HostTypes;
import labdrop.pkg.PackageDigest;
import labdrop.user.Role;
import labdrop.user.User;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.server.Request;

/** The admin page: add a host (the web face of labdrop host add), users, webhooks and their deliveries, package upload into a repository. */
final class AdminPages {
    static final String UPLOAD = "/admin/packages";
    /** Latest deliveries shown per webhook. */
    static final int DELIVERIES_SHOWN = 10;
    private final WebServices services;
    private final Pages pages;
    private final PackageUploadHandler uploads;

    AdminPages(WebServices services, Pages pages, PackageUploadHandler uploads) {
        this.services = services;
        this.pages = pages;
        this.uploads = uploads;
    }

    /** GET /admin: hosts, users and package uploads (admins only). */
    void view(Exchange x) {
        view(x, null, 200);
    }

    private void view(Exchange x, String error, int status) {
        User user = x.user();
        if (!Access.isAdmin(user)) {
            x.html(403, pages.render("message.peb", PageValues.message(x.session(), user,
                    "Admins only", "user '" + user.name() + "' is a tester; only admins open the admin page", "/")));
            return;
        }
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(user));
        values.put("error", error);
        values.put("users", services.accounts().list().stream().map(u -> Map.of("name", u.name(), "role", u.role().label(),
                "canLogIn", u.canLogIn())).toList());
        try {
            values.put("types", services.lab().hostTypes().list());
        } catch (IOException e) {
            values.put("types", List.of(HostTypes.DEFAULT));
        }
        values.put("webhooks", services.notifications().list(AdminPages.DELIVERIES_SHOWN).stream()
                .map(NotificationsApi::webhook).toList());
        values.put("events", Arrays.stream(EventKind.values()).map(EventKind::label).toList());
        values.put("repositories", List.copyOf(uploads.repositoryNames()));
        values.put("maxUpload", uploads.maxBytes());
        values.put("cluster", services.membership().enabled());
        values.put("nodes", services.membership().enabled() ? services.membership().nodes().stream().map(n -> Map.of(
                "id", n.id(), "state", n.state().label(), "version", n.version(), "heartbeat", n.heartbeatAt().toString(),
                "address", n.address(), "doing", n.doing())).toList() : List.of());
        values.put("node", services.membership().nodeId());
        x.html(status, pages.render("admin.peb", values));
    }

    /** POST /admin/hosts, /admin/users, /admin/users/remove (admins only), then back to /admin. */
    void post(Exchange x) {
        User user = x.user();
        String path = "/admin/" + x.param("action");
        try {
            Access.requireAdmin(user, "add hosts and manage users");
            switch (path) {
                case "/admin/hosts" -> {
                    String name = value(x, "name");
                    services.hosts().add(new HostDraft(name, Optional.ofNullable(value(x, "type")).orElse(HostTypes.DEFAULT),
                            Optional.ofNullable(value(x, "labels")).orElse(""), value(x, "owner"),
                            "true".equals(x.form("ownerOnly")), "true".equals(x.form("active")), null), user.name());
                    x.redirect("/hosts/" + name);
                    return;
                }
                case "/admin/users" -> {
                    String password = Optional.ofNullable(x.form("password")).orElse("");
                    if (password.length() < 12) {
                        throw new BadInputException("the password for '" + value(x, "name") + "' is " + password.length()
                                + " characters; use at least 12");
                    }
                    services.accounts().setAccount(value(x, "name"), Role.parse(Optional.ofNullable(value(x, "role"))
                            .orElse("tester")), password.toCharArray());
                }
                case "/admin/webhooks" -> services.notifications().add(value(x, "url"), x.form("secret"),
                        NotificationsApi.events(x.formValues("event")), user.name());
                case "/admin/webhooks/remove" -> services.notifications().remove(NotificationsApi.id(value(x, "id")));
                case "/admin/users/remove" -> {
                    String name = value(x, "name");
                    if (user.name().equals(name)) {
                        throw new BadInputException("you cannot remove yourself; ask another admin");
                    }
                    services.accounts().disable(name);
                }
                default -> {
                    x.html(404, "<!DOCTYPE html><title>Not found</title><p>No such page.</p>");
                    return;
                }
            }
        } catch (LabdropException e) {
            view(x, e.getMessage(), Errors.status(e));
            return;
        }
        x.redirect("/admin");
    }

    /**
     * POST /admin/packages (multipart: csrf, repository, sha256 optional, file): only a logged-in
     * admin's body is read, capped at api.max-upload-bytes; the CSRF token is checked before
     * anything is staged; a given SHA-256 must match, else the server's own is used.
     */
    void upload(Exchange x) {
        User user = x.user();
        Request request = x.request();
        // A refused upload stays unread: its answer tells the browser not to reuse this connection.
        if (!Access.isAdmin(user)) {
            x.header("Connection", "close");
            view(x, null, 403);
            return;
        }
        String contentType = request.getHeaders().get("Content-Type");
        if (contentType == null || !contentType.startsWith("multipart/form-data")) {
            x.header("Connection", "close");
            view(x, "the upload form must be sent as multipart/form-data", 400);
            return;
        }
        Path scratch = null;
        try {
            Files.createDirectories(uploads.staging());
            MultiPartConfig config = new MultiPartConfig.Builder().location(uploads.staging()).maxParts(8)
                    .maxPartSize(uploads.maxBytes()).maxSize(uploads.maxBytes() + 65536).maxMemoryPartSize(65536).build();
            try (MultiPartFormData.Parts parts = MultiPartFormData.getParts(request, request, contentType, config)) {
                MultiPart.Part token = parts.getFirst(WebSecurity.CSRF);
                if (token == null || !WebSecurity.csrfMatches(x.session(), token.getContentAsString(StandardCharsets.UTF_8))) {
                    x.html(403, "<!DOCTYPE html><title>Forbidden</title><p>This form is"
                            + " stale (missing CSRF token). Reload the page and try again.</p>");
                    return;
                }
                MultiPart.Part file = parts.getFirst("file");
                if (file == null || file.getFileName() == null || file.getFileName().isBlank()) {
                    throw new BadInputException("choose a package file (.tar.bz2) to upload");
                }
                String repository = text(parts.getFirst("repository"));
                String declared = text(parts.getFirst("sha256"));
                String fileName = Path.of(file.getFileName()).getFileName().toString();
                scratch = Files.createTempFile(uploads.staging(), ".labdrop-form-", ".part");
                file.writeTo(scratch);
                String sha256 = declared == null || declared.isBlank() ? PackageDigest.of(scratch).sha256() : declared.strip().split("\\s+")[0];
                Map<String, Object> created;
                try (InputStream in = Files.newInputStream(scratch)) {
                    created = uploads.publish(in, repository, fileName, sha256);
                }
                x.html(201, pages.render("message.peb", PageValues.message(x.session(), user,
                        "Package published", created.get("name") + " is in repository " + created.get("repository") + ", "
                                + created.get("size") + " bytes, SHA-256 " + created.get("sha256") + ".", "/admin")));
            }
        } catch (LabdropException e) {
            view(x, e.getMessage(), Errors.status(e));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            view(x, "the upload was not published: " + why
                    + " (largest accepted: " + uploads.maxBytes() + " bytes, api.max-upload-bytes)", 400);
        } finally {
            if (scratch != null) {
                try {
                    Files.deleteIfExists(scratch);
                } catch (IOException ignored) {
                    // a scratch file in the staging folder; the next upload's clean-up is not needed for correctness
                }
            }
        }
    }

    private static String text(MultiPart.Part part) {
        return part == null ? null : part.getContentAsString(StandardCharsets.UTF_8);
    }

    private static String value(Exchange x, String name) {
        String v = x.form(name);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
