package labdrop.account;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import labdrop.drop.AtomicFiles;
import labdrop.drop.Names;
import labdrop.error.ConflictException;
import labdrop.error.NotFoundException;
import labdrop.lab.Lab;
import labdrop.store.UserRows;
import labdrop.user.Passwords;
import labdrop.user.Role;
import labdrop.user.SystemUser;
import labdrop.user.Tokens;
import labdrop.user.User;

/**
 * Accounts: users with a role and a bcrypt-hashed password, and per-user API tokens kept only
 * as hashes. On first start the server creates an admin with a random password, written once to
 * a 0600 file; there is no default password.
 */
public final class Accounts {
    public static final String FIRST_ADMIN = "admin";
    private final Lab lab;

    public Accounts(Lab lab) {
        this.lab = lab;
    }

    /**
     * Creates the first admin when no account can log in yet; returns the password file written, if
     * any. The admin's row is locked first, so of several servers starting at once on one store
     * (a cluster's nodes) exactly one creates the account and writes its password file.
     */
    public Optional<Path> ensureFirstAdmin(Path stateDir) throws IOException {
        if (lab.store().read(UserRows::anyCanLogIn)) {
            return Optional.empty();
        }
        Path file = stateDir.resolve("admin-password");
        String password = Passwords.random();
        String hash = Passwords.hash(password.toCharArray());
        boolean created = lab.store().tx(h -> {
            UserRows.ensure(h, FIRST_ADMIN, lab.now());
            UserRows.lock(h, FIRST_ADMIN);
            if (UserRows.anyCanLogIn(h)) {
                return false;
            }
            try {
                Files.deleteIfExists(file);
                AtomicFiles.writeSecret(file, password + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the first admin's password to " + file, e);
            }
            UserRows.setAccount(h, FIRST_ADMIN, Role.ADMIN.name(), hash);
            return true;
        });
        return created ? Optional.of(file) : Optional.empty();
    }

    /** Creates or updates a user with a role and a password. */
    public User setAccount(String name, Role role, char[] password) {
        Names.require("user name", name);
        if (name.equals(SystemUser.NAME)) {
            throw new ConflictException("'" + name + "' is the system user health checks are filed as; it never logs in."
                    + " Pick another user name");
        }
        String hash = Passwords.hash(password);
        lab.store().tx(h -> {
            UserRows.ensure(h, name, lab.now());
            UserRows.setAccount(h, name, role.name(), hash);
            return null;
        });
        return find(name);
    }

    public User setPassword(String name, char[] password) {
        User user = find(name);
        return setAccount(name, user.role(), password);
    }

    /** Removes the user's password and tokens: it can no longer log in (its requests stay). */
    public void disable(String name) {
        find(name);
        lab.store().tx(h -> {
            UserRows.setAccount(h, name, Role.TESTER.name(), null);
            UserRows.deleteTokens(h, name);
            return null;
        });
    }

    public User find(String name) {
        return lab.store().read(h -> UserRows.find(h, Names.require("user name", name)))
                .orElseThrow(() -> new NotFoundException("no user '" + name + "'; labdrop user add creates one"));
    }

    public List<User> list() {
        return lab.store().read(UserRows::all);
    }

    /**
     * The user when {@code password} is theirs. Every attempt runs one bcrypt check, against a
     * stand-in hash when the account is unknown or has no password, so the time taken does not
     * tell which accounts exist.
     */
    public Optional<User> logIn(String name, char[] password) {
        Optional<String> hash = Names.isValid(name) ? lab.store().read(h -> UserRows.passwordHash(h, name))
                : Optional.empty();
        boolean matches = Passwords.matches(hash.orElseGet(StandIn::hash), password);
        return hash.isPresent() && matches ? Optional.of(find(name)) : Optional.empty();
    }

    /**
     * What a web session remembers of its user at login: it changes when the user's password or
     * role changes, which ends every session logged in before.
     */
    public String sessionStamp(String name) {
        User user = find(name);
        String hash = lab.store().read(h -> UserRows.passwordHash(h, name)).orElse("");
        return Tokens.hash(user.role().name() + "/" + hash);
    }

    /** A new API token for {@code name}, returned once. */
    public String newToken(String name, String label) {
        User user = find(name);
        if (!user.canLogIn()) {
            throw new ConflictException("user '" + name + "' has no password and cannot hold tokens;"
                    + " set one with labdrop user passwd " + name);
        }
        String token = Tokens.newToken();
        lab.store().tx(h -> {
            UserRows.addToken(h, Tokens.hash(token), name, label, lab.now());
            return null;
        });
        return token;
    }

    public Optional<User> byToken(String token) {
        if (token == null || !token.startsWith(Tokens.PREFIX) || token.length() > 100) {
            return Optional.empty();
        }
        return lab.store().read(h -> UserRows.userOfToken(h, Tokens.hash(token))).map(this::find);
    }

    /**
     * A bcrypt hash no password matches, checked when an account has none, so a refusal always costs one check.
     * Made at the first login (a holder class), not by every CLI command that opens the store.
     */
    private static final class StandIn {
        private static final String HASH = Passwords.hash(Passwords.random().toCharArray());

        static String hash() {
            return HASH;
        }
    }
}
