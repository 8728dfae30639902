package labdrop.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/** Rows of ssh_keys, labs and lab_hosts: who may log in to the embedded SSH server, and what a lab holds. */
public final class KeyRows {
    public static final String HOST = "host";
    public static final String LAB = "lab";

    private KeyRows() {
    }

    /** One registered key. */
    public record Key(String ownerKind, String owner, String type, String base64, String fingerprint, Instant addedAt,
                      String addedBy) {
    }

    /** Returns false when the owner already has a key with this fingerprint. */
    public static boolean add(Handle h, Key key) {
        boolean exists = h.createQuery("""
                select count(*) from ssh_keys where owner_kind = :kind and owner = :owner and fingerprint = :fp""")
                .bind("kind", key.ownerKind()).bind("owner", key.owner()).bind("fp", key.fingerprint())
                .mapTo(Integer.class).one() > 0;
        if (exists) {
            return false;
        }
        h.createUpdate("""
                insert into ssh_keys (owner_kind, owner, key_type, key_base64, fingerprint, added_at, added_by)
                values (:kind, :owner, :type, :base64, :fp, :at, :by)""")
                .bind("kind", key.ownerKind()).bind("owner", key.owner()).bind("type", key.type())
                .bind("base64", key.base64()).bind("fp", key.fingerprint()).bind("at", Times.bind(key.addedAt()))
                .bind("by", key.addedBy()).execute();
        return true;
    }

    public static List<Key> of(Handle h, String kind, String owner) {
        return h.createQuery("select * from ssh_keys where owner_kind = :kind and owner = :owner order by added_at")
                .bind("kind", kind).bind("owner", owner).map((rs, ctx) -> new Key(rs.getString("owner_kind"),
                        rs.getString("owner"), rs.getString("key_type"), rs.getString("key_base64"),
                        rs.getString("fingerprint"), Times.read(rs, "added_at"), rs.getString("added_by"))).list();
    }

    public static List<Key> all(Handle h) {
        return h.createQuery("select * from ssh_keys order by owner_kind, owner, added_at")
                .map((rs, ctx) -> new Key(rs.getString("owner_kind"), rs.getString("owner"), rs.getString("key_type"),
                        rs.getString("key_base64"), rs.getString("fingerprint"), Times.read(rs, "added_at"),
                        rs.getString("added_by"))).list();
    }

    public static int remove(Handle h, String kind, String owner, String fingerprint) {
        return h.createUpdate("delete from ssh_keys where owner_kind = :kind and owner = :owner and fingerprint = :fp")
                .bind("kind", kind).bind("owner", owner).bind("fp", fingerprint).execute();
    }

    public static int removeAll(Handle h, String kind, String owner) {
        return h.createUpdate("delete from ssh_keys where owner_kind = :kind and owner = :owner")
                .bind("kind", kind).bind("owner", owner).execute();
    }

    public static boolean labExists(Handle h, String lab) {
        return h.createQuery("select count(*) from labs where name = :name").bind("name", lab)
                .mapTo(Integer.class).one() > 0;
    }

    public static void addLab(Handle h, String lab, Instant now) {
        h.createUpdate("insert into labs (name, created_at) values (:name, :at)").bind("name", lab)
                .bind("at", Times.bind(now)).execute();
    }

    public static void addLabHost(Handle h, String lab, String host) {
        h.createUpdate("insert into lab_hosts (lab, host) values (:lab, :host)").bind("lab", lab).bind("host", host)
                .execute();
    }

    public static void removeLabHost(Handle h, String lab, String host) {
        h.createUpdate("delete from lab_hosts where lab = :lab and host = :host").bind("lab", lab).bind("host", host)
                .execute();
    }

    /** The lab's hosts that are not retired, sorted. */
    public static List<String> labHosts(Handle h, String lab) {
        return h.createQuery("""
                select l.host from lab_hosts l join hosts h on h.name = l.host
                where l.lab = :lab and h.state <> 'RETIRED' order by l.host""").bind("lab", lab)
                .mapTo(String.class).list();
    }

    /** Sets the SHA-256 of the lab's doorbell token; false when there is no such lab. */
    public static boolean setLabTokenHash(Handle h, String lab, String hash) {
        return h.createUpdate("update labs set doorbell_token_hash = :hash where name = :name").bind("hash", hash)
                .bind("name", lab).execute() == 1;
    }

    /** A lab that has a doorbell token: the token's SHA-256 and the lab's hosts that are not retired, sorted. */
    public record LabToken(String lab, String tokenHash, List<String> hosts) {
    }

    /** Every lab that has a doorbell token, with its hosts: one read for all labs. */
    public static Map<String, LabToken> labTokens(Handle h) {
        Map<String, String> hashes = new TreeMap<>();
        h.createQuery("select name, doorbell_token_hash from labs where doorbell_token_hash is not null")
                .map((rs, ctx) -> hashes.put(rs.getString("name"), rs.getString("doorbell_token_hash"))).list();
        Map<String, List<String>> hosts = new TreeMap<>();
        h.createQuery("""
                select l.lab, l.host from lab_hosts l join hosts h on h.name = l.host join labs b on b.name = l.lab
                where b.doorbell_token_hash is not null and h.state <> 'RETIRED' order by l.host""")
                .map((rs, ctx) -> hosts.computeIfAbsent(rs.getString("lab"), k -> new ArrayList<>()).add(rs.getString("host")))
                .list();
        Map<String, LabToken> out = new TreeMap<>();
        hashes.forEach((lab, hash) -> out.put(lab, new LabToken(lab, hash, List.copyOf(hosts.getOrDefault(lab, List.of())))));
        return out;
    }

    public static List<String> labs(Handle h) {
        return h.createQuery("select name from labs order by name").mapTo(String.class).list();
    }
}
