package labdrop.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** History of the admin-owned files in each host's config/ folder. */
public final class ConfigRows {
    private ConfigRows() {
    }

    /** One version of one config file; {@code content} is null when the file was deleted. */
    public record Version(long id, String host, String file, Instant at, String author, String content,
                          boolean valid, String problems) {
    }

    public static void add(Handle h, String host, String file, Instant at, String author, String content,
                           boolean valid, String problems) {
        h.createUpdate("""
                insert into config_history (host, file, at, author, content, valid, problems)
                values (:host, :file, :at, :author, :content, :valid, :problems)""")
                .bind("host", host).bind("file", file).bind("at", Times.bind(at)).bind("author", author)
                .bind("content", content).bind("valid", valid).bind("problems", problems).execute();
    }

    public static Optional<Version> latest(Handle h, String host, String file) {
        return h.createQuery("""
                select * from config_history where host = :host and file = :file order by id desc
                fetch first 1 rows only""").bind("host", host).bind("file", file)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    /** The latest version of every file of the host. */
    public static List<Version> latestPerFile(Handle h, String host) {
        return h.createQuery("""
                select * from config_history c where host = :host
                  and id = (select max(id) from config_history d where d.host = c.host and d.file = c.file)
                order by file""").bind("host", host).map((rs, ctx) -> map(rs)).list();
    }

    public static List<Version> history(Handle h, String host, String file) {
        return h.createQuery("select * from config_history where host = :host and file = :file order by id")
                .bind("host", host).bind("file", file).map((rs, ctx) -> map(rs)).list();
    }

    private static Version map(ResultSet rs) throws SQLException {
        return new Version(rs.getLong("id"), rs.getString("host"), rs.getString("file"), Times.read(rs, "at"),
                rs.getString("author"), rs.getString("content"), rs.getBoolean("valid"), rs.getString("problems"));
    }
}
