package labdrop.store;

import java.time.Instant;
import org.jdbi.v3.core.Handle;

/** Users are names only until accounts land (issue 6); a name is registered on first use. */
public final class UserRows {
    private UserRows() {
    }

    public static void ensure(Handle h, String name, Instant now) {
        boolean postgres = isPostgres(h);
        String sql = postgres
                ? "insert into users (name, created_at) values (:name, :now) on conflict (name) do nothing"
                : "merge into users key (name) values (:name, :now)";
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

    private static boolean isPostgres(Handle h) {
        try {
            return h.getConnection().getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT)
                    .contains("postgres");
        } catch (java.sql.SQLException e) {
            return false;
        }
    }
}
