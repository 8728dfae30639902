package labdrop.ssh;

import java.util.List;

/**
 * What one SSH login may reach: a host login ({@link #HOST}) sees its host folder, a lab login
 * ({@link #LAB}) the folders of its lab's hosts. {@code fingerprint} is the SHA-256 of the key
 * that logged in, for the audit log and for closing the sessions of a removed key.
 */
public record Login(String user, String kind, List<String> hosts, String fingerprint) {
    public static final String HOST = "host";
    public static final String LAB = "lab";

    public Login {
        hosts = List.copyOf(hosts);
    }

    public boolean isLab() {
        return LAB.equals(kind);
    }
}
