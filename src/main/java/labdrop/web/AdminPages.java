package labdrop.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.admin.HostDraft;
import labdrop.error.BadInputException;
import labdrop.error.LabdropException;
import labdrop.host.HostTypes;
import labdrop.pkg.PackageDigest;
import labdrop.user.Role;
import labdrop.user.User;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** The admin page: add a host (the web face of labdrop host add), users, package upload into a repository. */
final class AdminPages {
    static final String UPLOAD = "/admin/packages";
    private final WebServices services;
    private final Pages pages;
    private final PackageUploadHandler uploads;

    AdminPages(WebServices services, Pages pages, PackageUploadHandler uploads) {
        this.services = services;
        this.pages = pages;
        this.uploads = uploads;
    }

    boolean view(Response response, Callback callback, Session session, User user, String error, int status) {
        if (!Access.isAdmin(user)) {
            return WebHandler.html(response, callback, 403, pages.render("message.peb", WebHandler.message(session, user,
                    "Admins only", "user '" + user.name() + "' is a tester; only admins open the admin page", "/")));
        }
        Map<String, Object> values = WebHandler.base(session, Optional.of(user));
        values.put("error", error);
        values.put("users", services.accounts().list().stream().map(u -> Map.of("name", u.name(), "role", u.role().label(),
                "canLogIn", u.canLogIn())).toList());
        try {
            values.put("types", services.lab().hostTypes().list());
        } catch (IOException e) {
            values.put("types", List.of(HostTypes.DEFAULT));
        }
        values.put("repositories", List.copyOf(uploads.repositoryNames()));
        values.put("maxUpload", uploads.maxBytes());
        return WebHandler.html(response, callback, status, pages.render("admin.peb", values));
    }

    boolean post(Request request, Response response, Callback callback, Session session, User user,
                 String path, Fields form) {
        try {
            Access.requireAdmin(user, "add hosts and manage users");
            switch (path) {
                case "/admin/hosts" -> {
                    String name = value(form, "name");
                    services.hosts().add(new HostDraft(name, Optional.ofNullable(value(form, "type")).orElse(HostTypes.DEFAULT),
                            Optional.ofNullable(value(form, "labels")).orElse(""), value(form, "owner"),
                            "true".equals(form.getValue("ownerOnly")), "true".equals(form.getValue("active")), null), user.name());
                    Response.sendRedirect(request, response, callback, "/hosts/" + name);
                    return true;
                }
                case "/admin/users" -> {
                    String password = Optional.ofNullable(form.getValue("password")).orElse("");
                    if (password.length() < 12) {
                        throw new BadInputException("the password for '" + value(form, "name") + "' is " + password.length()
                                + " characters; use at least 12");
                    }
                    services.accounts().setAccount(value(form, "name"), Role.parse(Optional.ofNullable(value(form, "role"))
                            .orElse("tester")), password.toCharArray());
                }
                case "/admin/users/remove" -> {
                    String name = value(form, "name");
                    if (user.name().equals(name)) {
                        throw new BadInputException("you cannot remove yourself; ask another admin");
                    }
                    services.accounts().disable(name);
                }
                default -> {
                    return WebHandler.html(response, callback, 404, "<!DOCTYPE html><title>Not found</title><p>Not found.</p>");
                }
            }
        } catch (LabdropException e) {
            return view(response, callback, session, user, e.getMessage(), ApiErrors.status(e));
        }
        Response.sendRedirect(request, response, callback, "/admin");
        return true;
    }

    /**
     * POST /admin/packages (multipart: csrf, repository, sha256 optional, file): only a logged-in
     * admin's body is read, capped at api.max-upload-bytes; the CSRF token is checked before
     * anything is staged; a given SHA-256 must match, else the server's own is used.
     */
    boolean upload(Request request, Response response, Callback callback, Session session, User user) {
        // A refused upload stays unread: its answer tells the browser not to reuse this connection.
        if (!Access.isAdmin(user)) {
            response.getHeaders().put("Connection", "close");
            return view(response, callback, session, user, null, 403);
        }
        String contentType = request.getHeaders().get("Content-Type");
        if (contentType == null || !contentType.startsWith("multipart/form-data")) {
            response.getHeaders().put("Connection", "close");
            return view(response, callback, session, user, "the upload form must be sent as multipart/form-data", 400);
        }
        Path scratch = null;
        try {
            Files.createDirectories(uploads.staging());
            MultiPartConfig config = new MultiPartConfig.Builder().location(uploads.staging()).maxParts(8)
                    .maxPartSize(uploads.maxBytes()).maxSize(uploads.maxBytes() + 65536).maxMemoryPartSize(65536).build();
            try (MultiPartFormData.Parts parts = MultiPartFormData.getParts(request, request, contentType, config)) {
                MultiPart.Part token = parts.getFirst(WebSecurity.CSRF);
                if (token == null || !WebSecurity.csrfMatches(session, token.getContentAsString(StandardCharsets.UTF_8))) {
                    return WebHandler.html(response, callback, 403, "<!DOCTYPE html><title>Forbidden</title><p>This form is"
                            + " stale (missing CSRF token). Reload the page and try again.</p>");
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
                return WebHandler.html(response, callback, 201, pages.render("message.peb", WebHandler.message(session, user,
                        "Package published", created.get("name") + " is in repository " + created.get("repository") + ", "
                                + created.get("size") + " bytes, SHA-256 " + created.get("sha256") + ".", "/admin")));
            }
        } catch (LabdropException e) {
            return view(response, callback, session, user, e.getMessage(), ApiErrors.status(e));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return view(response, callback, session, user, "the upload was not published: " + why
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

    private static String value(Fields form, String name) {
        String v = form.getValue(name);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
