package labdrop.store;

import org.jdbi.v3.core.Handle;

/** The pools table: one row per host type pool requests were filed for, locked while placing from it. */
public final class PoolRows {
    private PoolRows() {
    }

    /** Creates the pool's row if it has none (at filing, before the request is inserted). */
    public static void ensure(Handle h, String type) {
        boolean postgres = UserRows.isPostgres(h);
        if (postgres) {
            h.createUpdate("insert into pools (type) values (:type) on conflict (type) do nothing").bind("type", type)
                    .execute();
        } else {
            h.createUpdate("merge into pools (type) key (type) values (:type)").bind("type", type).execute();
        }
    }

    /**
     * Locks the pool's row until the transaction ends: every placement from the pool holds it, so
     * the pool's queue is read and claimed by one placer at a time. False when the pool has no row
     * (nothing was ever filed for it).
     */
    public static boolean lock(Handle h, String type) {
        return h.createQuery("select type from pools where type = :type for update").bind("type", type)
                .mapTo(String.class).findOne().isPresent();
    }
}
