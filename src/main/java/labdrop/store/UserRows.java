package labdrop.store;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import labdrop.user.Role;
import labdrop.user.User;
import org.jdbi.v3.core.Handle;

/** Users: every name is registered on first use (as a tester without a password); accounts add a role and a password. */
public final class UserRows {
    private UserRows() {
    }

    public static void ensure(Handle h, String name, Instant now) {
        boolean postgres = isPostgres(h);
        String sql = postgres
                ? "insert into users (name, created_at) values (:name, :now) on conflict (name) do nothing"
                : "merge into users (name, created_at) key (name) values (:name, :now)";
        if (!postgres) {
            // H2's MERGE would overwrite created_at; keep the first one.
            Integer known = h.createQuery("select count(*) from users where name = :name").bind("name", name)
                    .mapTo(Integer.class).one();
            if (known > 0) {
                return;
            }
        }
        h.createUpdate(sql).bind("name", name).bind("now", Times.bind(now)).execute();
    }

    /** True when the store is PostgreSQL (else H2): the few statements without a portable form ask this. */
    static boolean isPostgres(Handle h) {
        try {
            return h.getConnection().getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT)
                    .contains("postgres");
        } catch (SQLException e) {
            return false;
        }
    }

    /** Locks the user's row until the transaction ends (the row must exist: {@link #ensure} it first). */
    public static void lock(Handle h, String name) {
        h.createQuery("select name from users where name = :name for update").bind("name", name).mapTo(String.class).one();
    }

    public static void setAccount(Handle h, String name, String role, String passwordHash) {
        h.createUpdate("update users set role = :role, password_hash = :hash where name = :name")
                .bind("role", role).bind("hash", passwordHash).bind("name", name).execute();
    }

    public static Optional<User> find(Handle h, String name) {
        return h.createQuery("select name, role, password_hash from users where name = :name").bind("name", name)
                .map((rs, ctx) -> new User(rs.getString("name"), Role.valueOf(rs.getString("role").toUpperCase(Locale.ROOT)),
                        rs.getString("password_hash") != null))
                .findOne();
    }

    public static List<User> all(Handle h) {
        return h.createQuery("select name, role, password_hash from users order by name")
                .map((rs, ctx) -> new User(rs.getString("name"), Role.valueOf(rs.getString("role").toUpperCase(Locale.ROOT)),
                        rs.getString("password_hash") != null))
                .list();
    }

    public static Optional<String> passwordHash(Handle h, String name) {
        return h.createQuery("select password_hash from users where name = :name and password_hash is not null")
                .bind("name", name).mapTo(String.class).findOne();
    }

    public static boolean anyCanLogIn(Handle h) {
        return h.createQuery("select count(*) from users where password_hash is not null").mapTo(Integer.class).one() > 0;
    }

    public static void addToken(Handle h, String tokenHash, String name, String label, Instant now) {
        h.createUpdate("insert into api_tokens (token_hash, user_name, created_at, label) values (:hash, :name, :now, :label)")
                .bind("hash", tokenHash).bind("name", name).bind("now", Times.bind(now)).bind("label", label).execute();
    }

    public static Optional<String> userOfToken(Handle h, String tokenHash) {
        return h.createQuery("""
                select t.user_name from api_tokens t join users u on u.name = t.user_name
                where t.token_hash = :hash and u.password_hash is not null""")
                .bind("hash", tokenHash).mapTo(String.class).findOne();
    }

    public static void deleteTokens(Handle h, String name) {
        h.createUpdate("delete from api_tokens where user_name = :name").bind("name", name).execute();
    }
}
