package labdrop.store;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;
import java.util.Set;

/**
 * Tells the pool which failures mean the connection itself is dead. Hikari evicts on SQLState
 * 08xxx only; H2 reports a dead AUTO_SERVER owner (killed server process) with its own codes, and
 * without this the pool keeps handing out the dead connections.
 */
final class DeadConnections implements SQLExceptionOverride {
    /** H2: CONNECTION_BROKEN_1, DATABASE_IS_CLOSED, DATABASE_CALLED_AT_SHUTDOWN. */
    private static final Set<Integer> H2_DEAD = Set.of(90067, 90098, 90121);

    @java.lang.Override // qualified: SQLExceptionOverride declares a member type named Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        return isDead(e) ? SQLExceptionOverride.Override.MUST_EVICT : SQLExceptionOverride.Override.CONTINUE_EVICT;
    }

    /** True when {@code e} or a cause says the connection itself is dead (H2's codes or SQLState 08xxx). */
    static boolean isDead(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (H2_DEAD.contains(sql.getErrorCode())
                    || sql.getSQLState() != null && sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }
}
