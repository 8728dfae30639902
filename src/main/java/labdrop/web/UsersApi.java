package labdrop.web;

import java.io.IOException;
import java.util.Optional;
import labdrop.error.BadInputException;
import labdrop.error.ConflictException;
import labdrop.user.Role;
import labdrop.user.User;

/** {@code /api/v1/me} and {@code /api/v1/users}: the caller, and the accounts (admins manage them). */
final class UsersApi {
    private final WebServices services;

    UsersApi(WebServices services) {
        this.services = services;
    }

    void routes(Router<ApiCall> router) {
        router.add("GET", "/me", x -> ApiViews.user(x.user()))
                .add("GET", "/users", x -> services.accounts().list().stream().map(ApiViews::user).toList())
                .add("POST", "/users", this::add)
                .add("PATCH", "/users/{name}", this::change)
                .add("DELETE", "/users/{name}", this::disable);
    }

    private Object add(Call x) throws IOException {
        Access.requireAdmin(x.user(), "manage users");
        JsonBody body = x.json();
        String name = body.text("name", true);
        if (services.accounts().list().stream().anyMatch(u -> u.name().equals(name) && u.canLogIn())) {
            throw new ConflictException("user '" + name + "' already exists; PATCH /api/v1/users/" + name
                    + " changes its role or password");
        }
        x.created();
        return ApiViews.user(services.accounts().setAccount(name, Role.parse(Optional.ofNullable(body.text("role", false))
                .orElse("tester")), password(body)));
    }

    private Object change(Call x) throws IOException {
        Access.requireAdmin(x.user(), "manage users");
        String name = x.param("name");
        JsonBody body = x.json();
        User found = services.accounts().find(name);
        Role role = body.has("role") ? Role.parse(body.text("role", true)) : found.role();
        if (body.has("password")) {
            return ApiViews.user(services.accounts().setAccount(name, role, password(body)));
        }
        if (!found.canLogIn()) {
            throw new BadInputException("user '" + name + "' has no password; send \"password\" with the role");
        }
        throw new BadInputException("changing a role needs the new \"password\" too (passwords are never read back)");
    }

    private Object disable(Call x) {
        Access.requireAdmin(x.user(), "manage users");
        String name = x.param("name");
        if (name.equals(x.user().name())) {
            throw new ConflictException("you cannot remove yourself; ask another admin");
        }
        services.accounts().disable(name);
        return ApiViews.user(services.accounts().find(name));
    }

    private static char[] password(JsonBody body) {
        String password = body.text("password", true);
        if (password.length() < 12) {
            throw new BadInputException("password is " + password.length() + " characters; use at least 12");
        }
        return password.toCharArray();
    }
}
