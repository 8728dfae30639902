package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import labdrop.app.Services;
import labdrop.user.Role;
import labdrop.user.User;
import labdrop.web.LocalApi;

/**
 * The lab as the CLI sees it on the server host: the API's calls run in this process over the
 * store. Whoever may open the store administers the lab, so the caller acts as an admin named by
 * {@code --as} (the login name by default), and that name goes into the history.
 */
final class LocalLab implements LabClient {
    private final Services services;
    private final LocalApi api;
    private final User caller;

    LocalLab(Services services, String as) {
        this.services = services;
        this.api = new LocalApi(services.web());
        this.caller = new User(as, Role.ADMIN, true);
    }

    @Override
    public JsonNode call(String method, String path, Object body) throws IOException {
        return api.call(caller, method, path, body);
    }

    @Override
    public boolean local() {
        return true;
    }

    @Override
    public void close() {
        services.close();
    }
}
