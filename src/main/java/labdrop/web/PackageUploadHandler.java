package labdrop.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import labdrop.account.Accounts;
import labdrop.error.NotFoundException;
import labdrop.pkg.Manifest;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PayloadTooLargeException;
import labdrop.pkg.Repository;
import labdrop.pkg.Staging;
import labdrop.user.Role;
import labdrop.user.User;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code PUT /api/v1/packages/<repo>/<file>} with {@code Authorization: Bearer <token>} of an
 * admin and {@code X-Labdrop-Sha256: <hex>}: the body is staged under the size cap, verified
 * against the declared SHA-256 and the installer's rules, then published and indexed
 * ({@link Staging}). 201 with the index entry; errors as JSON (401, 403, 400, 404, 413).
 */
public final class PackageUploadHandler extends Handler.Abstract {
    private static final String PREFIX = "/packages/";
    private final Accounts accounts;
    private final Map<String, Path> repositories;
    private final Path staging;
    private final long maxBytes;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    public PackageUploadHandler(Accounts accounts, Map<String, Path> repositories, Path staging, long maxBytes) {
        this.accounts = accounts;
        this.repositories = repositories;
        this.staging = staging;
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX)) {
            return false;
        }
        // Refusals may leave the upload unread: tell the client not to reuse this connection.
        response.getHeaders().put("Connection", "close");
        Optional<User> user = bearer(request).flatMap(accounts::byToken);
        if (user.isEmpty()) {
            response.getHeaders().put("WWW-Authenticate", "Bearer realm=\"labdrop\"");
            Errors.send(response, callback, 401, Map.of("error",
                    "log in: send Authorization: Bearer <token> (labdrop user token NAME creates one)"));
            return true;
        }
        if (user.get().role() != Role.ADMIN) {
            Errors.send(response, callback, 403, Map.of("error", "user '" + user.get().name()
                    + "' is a tester; only admins upload packages"));
            return true;
        }
        if (!"PUT".equals(request.getMethod())) {
            response.getHeaders().put("Allow", "PUT");
            Errors.send(response, callback, 405, Map.of("error", "use PUT to upload a package"));
            return true;
        }
        try {
            String[] parts = path.substring(PREFIX.length()).split("/", -1);
            if (parts.length != 2 || !repositories.containsKey(parts[0])) {
                throw new NotFoundException("no repository at " + path + "; repositories: " + repositories.keySet());
            }
            PackageFile.parse(parts[1]);
            long declared = request.getLength();
            if (declared > maxBytes) {
                throw new PayloadTooLargeException("upload of " + parts[1] + " is " + declared
                        + " bytes, over the cap of " + maxBytes + " bytes (api.max-upload-bytes)");
            }
            Map<String, Object> created;
            try (InputStream body = Content.Source.asInputStream(request)) {
                created = publish(body, parts[0], parts[1], request.getHeaders().get("X-Labdrop-Sha256"));
            }
            response.getHeaders().remove("Connection");
            Errors.send(response, callback, 201, created);
        } catch (Exception e) {
            Errors.fail(response, callback, e);
        }
        return true;
    }

    /** Names of the repositories uploads may go to, in lookup order. */
    Set<String> repositoryNames() {
        return repositories.keySet();
    }

    Path staging() {
        return staging;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Stages, verifies and publishes one package (for the API and the admin page); returns its index entry. */
    Map<String, Object> publish(InputStream body, String repository, String file, String sha256) throws IOException {
        if (!repositories.containsKey(repository)) {
            throw new NotFoundException("no repository '" + repository + "'; repositories: " + repositories.keySet());
        }
        PackageFile.parse(file);
        Manifest.Entry entry = new Staging(staging, maxBytes, pool).publish(body, file, sha256,
                new Repository(repositories.get(repository)));
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("repository", repository);
        created.put("name", entry.name());
        created.put("size", entry.size());
        created.put("sha256", entry.sha256());
        created.put("md5", entry.md5());
        created.put("url", "/packages/" + repository + "/" + entry.name());
        return created;
    }

    private static Optional<String> bearer(Request request) {
        String header = request.getHeaders().get("Authorization");
        return header != null && header.startsWith("Bearer ") ? Optional.of(header.substring(7).strip()) : Optional.empty();
    }

    @Override
    protected void doStop() throws Exception {
        pool.shutdownNow();
        super.doStop();
    }
}
