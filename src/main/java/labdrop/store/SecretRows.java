package labdrop.store;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Rows of cluster_secrets: what every node of a cluster holds alike (its SSH host key). PostgreSQL only. */
public final class SecretRows {
    private SecretRows() {
    }

    /** Stores {@code secret} under {@code name} unless another node stored one first; returns the one stored. */
    public static String offer(Handle h, String name, String secret) {
        h.createUpdate("insert into cluster_secrets (name, secret) values (:name, :secret) on conflict (name) do nothing")
                .bind("name", name).bind("secret", secret).execute();
        return find(h, name).orElseThrow();
    }

    public static Optional<String> find(Handle h, String name) {
        return h.createQuery("select secret from cluster_secrets where name = :name").bind("name", name)
                .mapTo(String.class).findOne();
    }
}
