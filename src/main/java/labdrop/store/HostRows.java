package labdrop.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.event.EventKind;
import labdrop.host.Host;
import labdrop.host.HostHealth;
import labdrop.host.HostQuery;
import labdrop.host.HostState;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/** Rows of the hosts table. */
public final class HostRows {
    private HostRows() {
    }

    public static Optional<Host> find(Handle h, String name) {
        return h.createQuery("select * from hosts where name = :name").bind("name", name)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    /** Finds and row-locks the host until the transaction ends. */
    public static Optional<Host> lock(Handle h, String name) {
        return h.createQuery("select * from hosts where name = :name for update").bind("name", name)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public static List<Host> all(Handle h) {
        return h.createQuery("select * from hosts order by name").map((rs, ctx) -> map(rs)).list();
    }

    /** The hosts of host type {@code type}, by name. */
    public static List<Host> ofType(Handle h, String type) {
        return h.createQuery("select * from hosts where type = :type order by name").bind("type", type)
                .map((rs, ctx) -> map(rs)).list();
    }

    /** The names of the hosts on the query's page, in its order (group, then name). */
    public static List<String> pageNames(Handle h, HostQuery q) {
        return filtered(h, "select name from hosts", q, " order by " + q.group().column() + ", name limit :limit offset :offset")
                .bind("limit", q.pageSize()).bind("offset", q.offset()).mapTo(String.class).list();
    }

    /** How many hosts match the query's filters. */
    public static int count(Handle h, HostQuery q) {
        return filtered(h, "select count(*) from hosts", q, "").mapTo(Integer.class).one();
    }

    private static Query filtered(Handle h, String select, HostQuery q, String tail) {
        StringBuilder where = new StringBuilder(" where 1 = 1");
        if (q.type() != null) {
            where.append(" and type = :type");
        }
        if (q.state() != null) {
            where.append(" and state = :state");
        }
        if (q.label() != null) {
            where.append(" and (',' || replace(labels, ' ', '') || ',') like :label escape '!'");
        }
        Query query = h.createQuery(select + where + tail);
        if (q.type() != null) {
            query.bind("type", q.type());
        }
        if (q.state() != null) {
            query.bind("state", q.state().name());
        }
        if (q.label() != null) {
            query.bind("label", "%," + q.label().replace("!", "!!").replace("_", "!_").replace("%", "!%") + ",%");
        }
        return query;
    }

    /** Those of hosts {@code names} whose rows were written after clock tick {@code after}. */
    public static List<Host> changedAmong(Handle h, Collection<String> names, long after) {
        if (names.isEmpty()) {
            return List.of();
        }
        return h.createQuery("select * from hosts where name in (<names>) and board_tick > :after")
                .bindList("names", List.copyOf(names)).bind("after", after).map((rs, ctx) -> map(rs)).list();
    }

    /** At most {@code limit} hosts by name, those after {@code after} (null: from the first). */
    public static List<Host> after(Handle h, String after, int limit) {
        return h.createQuery("select * from hosts where name > :after order by name limit :limit")
                .bind("after", after == null ? "" : after).bind("limit", limit).map((rs, ctx) -> map(rs)).list();
    }

    /** How many hosts there are of each type, state and health verdict (null: never checked). */
    public static List<Census> census(Handle h) {
        return h.createQuery("select type, state, health, count(*) as n from hosts group by type, state, health")
                .map((rs, ctx) -> new Census(rs.getString("type"), HostState.valueOf(rs.getString("state")),
                        rs.getString("health") == null ? null : HostHealth.Verdict.valueOf(rs.getString("health")),
                        rs.getInt("n"))).list();
    }

    /** One line of {@link #census}. */
    public record Census(String type, HostState state, HostHealth.Verdict health, int hosts) {
    }

    public static void insert(Handle h, Host host, Instant now) {
        h.createUpdate("""
                insert into hosts (name, type, labels, owner, owner_only, state, state_since,
                                   hard_reset_command, created_at)
                values (:name, :type, :labels, :owner, :ownerOnly, :state, :now, :reset, :now)""")
                .bind("name", host.name()).bind("type", host.type()).bind("labels", host.labels())
                .bind("owner", host.owner()).bind("ownerOnly", host.ownerOnly())
                .bind("state", host.state().name()).bind("reset", host.hardResetCommand())
                .bind("now", Times.bind(now)).execute();
        PollRows.insert(h, host.name());
        stampBoard(h, host.name());
    }

    /** Moves the host to {@code state}; {@code state_since} changes only when the state does. */
    public static void setState(Handle h, String name, HostState state, Instant now) {
        if (state == HostState.LOST || state == HostState.MAINT) {
            h.createQuery("select state from hosts where name = :name").bind("name", name).mapTo(String.class).findOne()
                    .filter(before -> !before.equals(state.name()))
                    .ifPresent(before -> EventRows.add(h, state == HostState.LOST ? EventKind.HOST_LOST : EventKind.HOST_MAINT,
                            name, null, null, "was " + HostState.valueOf(before).label(), now));
        }
        h.createUpdate("""
                update hosts set state_since = case when state = :state then state_since else :now end,
                                 state = :state,
                                 lost_reset_done = case when :state = 'LOST' then lost_reset_done else false end
                where name = :name""")
                .bind("state", state.name()).bind("now", Times.bind(now)).bind("name", name).execute();
        stampBoard(h, name);
        if (state == HostState.RETIRED) {
            stampBell(h, name);
        }
    }

    public static void update(Handle h, String name, String column, Object value) {
        if (!List.of("type", "labels", "owner", "owner_only", "hard_reset_command", "ingest_error",
                "lost_reset_done", "last_seq").contains(column)) {
            throw new IllegalArgumentException("not an updatable host column: " + column);
        }
        h.createUpdate("update hosts set " + column + " = :value where name = :name")
                .bind("value", value).bind("name", name).execute();
        stampBoard(h, name);
    }

    /** Records a SUT report (already checked to be newer than the last one). */
    /** Records the identity of the state_file just applied for {@code name} (not a change anyone sees). */
    public static void setStateKey(Handle h, String name, String key) {
        h.createUpdate("update hosts set state_key = :key where name = :name").bind("key", key).bind("name", name).execute();
    }

    /** Each host's last applied state_file identity, by host name; hosts that never reported are left out. */
    /** Locks the host's row and returns the key of the state_file last applied to it (empty: none, or no such host). */
    public static Optional<String> lockStateKey(Handle h, String name) {
        return h.createQuery("select state_key from hosts where name = :name for update").bind("name", name)
                .mapTo(String.class).findOne();
    }

    public static Map<String, String> stateKeys(Handle h) {
        Map<String, String> keys = new HashMap<>();
        h.createQuery("select name, state_key from hosts where state_key is not null")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).forEach(e -> keys.put(e.getKey(), e.getValue()));
        return keys;
    }

    public static void recordReport(Handle h, String name, Report report) {
        h.createUpdate("""
                update hosts set reported_status = :status, last_seq = :seq, last_seen = :seen, boot_id = :boot,
                                 step = :step, agent_version = :agent, current_request = :request,
                                 message = :message, ingest_error = null
                where name = :name""")
                .bind("status", report.status()).bind("seq", report.seq()).bind("seen", Times.bind(report.receivedAt()))
                .bind("boot", report.bootId()).bind("step", report.step()).bind("agent", report.agentVersion())
                .bind("request", report.request()).bind("message", report.message()).bind("name", name).execute();
        stampBoard(h, name);
    }

    /** What a SUT said in one state_file, with the server's own receive time. */
    public record Report(String status, long seq, Instant receivedAt, String bootId, String step,
                         String agentVersion, String request, String message) {
    }

    static Host map(ResultSet rs) throws SQLException {
        return new Host(rs.getString("name"), rs.getString("type"), rs.getString("labels"), rs.getString("owner"),
                rs.getBoolean("owner_only"), HostState.valueOf(rs.getString("state")), rs.getString("reported_status"),
                rs.getLong("last_seq"), Times.read(rs, "last_seen"), rs.getString("boot_id"), rs.getString("step"),
                rs.getString("agent_version"), rs.getString("current_request"), rs.getString("message"),
                rs.getString("hard_reset_command"), rs.getString("ingest_error"), Times.read(rs, "state_since"),
                rs.getString("health") == null ? HostHealth.UNKNOWN : new HostHealth(
                        HostHealth.Verdict.valueOf(rs.getString("health")), rs.getString("health_reason"),
                        Times.read(rs, "health_at")));
    }

    /** Records the verdict of the host's health check; a pass also clears its run of failed requests. */
    public static void setHealth(Handle h, String name, HostHealth health) {
        h.createUpdate("""
                update hosts set health = :verdict, health_reason = :reason, health_at = :at,
                                 errors_in_row = case when :verdict = 'PASSED' then 0 else errors_in_row end
                where name = :name""")
                .bind("verdict", health.verdict().name()).bind("reason", health.reason())
                .bind("at", Times.bind(health.at())).bind("name", name).execute();
        stampBoard(h, name);
    }

    /**
     * Counts one more of the host's requests ending Error or Aborted ({@code failed}), or ends the
     * run ({@code !failed}); returns how many ended so in a row.
     */
    public static int countErrorInRow(Handle h, String name, boolean failed) {
        h.createUpdate("update hosts set errors_in_row = " + (failed ? "errors_in_row + 1" : "0") + " where name = :name")
                .bind("name", name).execute();
        return h.createQuery("select errors_in_row from hosts where name = :name").bind("name", name)
                .mapTo(Integer.class).one();
    }

    public static boolean lostResetDone(Handle h, String name) {
        return h.createQuery("select lost_reset_done from hosts where name = :name").bind("name", name)
                .mapTo(Boolean.class).one();
    }

    /**
     * A host's doorbell: its generation, the SHA-256 of its token (null: none issued), whether it is
     * retired (its doorbell answers no one), and the bell-clock tick of its last change, which orders
     * two reads of the same host (V17__bell_clock.sql).
     */
    public record Bell(String host, long generation, String tokenHash, boolean retired, long tick) {
    }

    private static final String BELL_COLUMNS = "name, generation, doorbell_token_hash, state, bell_tick";

    private static Bell bell(ResultSet rs) throws SQLException {
        return new Bell(rs.getString(1), rs.getLong(2), rs.getString(3), HostState.RETIRED.name().equals(rs.getString(4)), rs.getLong(5));
    }

    public static Optional<Bell> bell(Handle h, String name) {
        return h.createQuery("select " + BELL_COLUMNS + " from hosts where name = :name")
                .bind("name", name).map((rs, ctx) -> bell(rs)).findOne();
    }

    /** The store-wide clock, moved by every change of a host's doorbell and every write to a host's row. */
    public static long bellClock(Handle h) {
        return h.createQuery("select tick from bell_clock where id = 1").mapTo(Long.class).one();
    }

    /** The doorbells that changed after clock tick {@code after} up to {@code upTo}, both read from {@link #bellClock}. */
    public static List<Bell> bellChanges(Handle h, long after, long upTo) {
        return h.createQuery("select " + BELL_COLUMNS + " from hosts where bell_tick > :after and bell_tick <= :upTo")
                .bind("after", after).bind("upTo", upTo).map((rs, ctx) -> bell(rs)).list();
    }

    /** The host's next placement epoch, taken for a placement (the host's row is locked by the caller). */
    public static long nextPlacementEpoch(Handle h, String name) {
        h.createUpdate("update hosts set placement_epoch = placement_epoch + 1 where name = :name").bind("name", name).execute();
        return h.createQuery("select placement_epoch from hosts where name = :name").bind("name", name).mapTo(Long.class).one();
    }

    /** Something the agent must see changed: a placement, a removal, a config file. */
    public static void bumpGeneration(Handle h, String name) {
        h.createUpdate("update hosts set generation = generation + 1 where name = :name").bind("name", name).execute();
        stampBell(h, name);
    }

    public static void setDoorbellToken(Handle h, String name, String tokenHash) {
        h.createUpdate("update hosts set doorbell_token_hash = :hash where name = :name")
                .bind("hash", tokenHash).bind("name", name).execute();
        stampBell(h, name);
    }

    /**
     * Stamps the host with the next clock tick for the dashboard's change feed, in the caller's
     * transaction: a column the dashboard or the API shows changed (V18__board_tick.sql).
     */
    private static void stampBoard(Handle h, String name) {
        h.createUpdate("update bell_clock set tick = tick + 1 where id = 1").execute();
        h.createUpdate("update hosts set board_tick = (select tick from bell_clock where id = 1) where name = :name")
                .bind("name", name).execute();
    }

    /** Stamps the host with the next bell-clock tick, in the caller's transaction: its doorbell changed. */
    private static void stampBell(Handle h, String name) {
        h.createUpdate("update bell_clock set tick = tick + 1 where id = 1").execute();
        h.createUpdate("update hosts set bell_tick = (select tick from bell_clock where id = 1) where name = :name")
                .bind("name", name).execute();
        BellNotices.send(h);
    }
}
