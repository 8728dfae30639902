package labdrop.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import labdrop.drop.AtomicFiles;
import labdrop.store.SecretRows;
import labdrop.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH host key for every node of a cluster, so that a SUT the load balancer moves to another
 * node sees the key in its known_hosts. The first node to start offers its own key (generated if
 * it had none) to the store (cluster_secrets); every node then writes the store's key to its
 * {@code ssh.host-key} file before its SSH server starts. A node's own different key is kept
 * beside it as {@code <file>.before-cluster}.
 */
public final class SharedHostKey {
    static final String PRIVATE = "ssh-host-key";
    static final String PUBLIC = "ssh-host-key.pub";
    private static final Logger LOG = LoggerFactory.getLogger(SharedHostKey.class);

    private SharedHostKey() {
    }

    /**
     * Makes {@code file} (and {@code file.pub}) the cluster's host key; returns true when it
     * replaced this node's own. {@code file} is this node's key, generated before when missing.
     */
    public static boolean ensure(Store store, Path file) throws IOException {
        Path pub = file.resolveSibling(file.getFileName() + ".pub");
        String mine = Files.readString(file);
        String minePub = Files.readString(pub);
        String[] cluster = store.tx(h -> new String[] {SecretRows.offer(h, PRIVATE, mine), SecretRows.offer(h, PUBLIC, minePub)});
        if (cluster[0].equals(mine)) {
            return false;
        }
        Files.move(file, file.resolveSibling(file.getFileName() + ".before-cluster"), StandardCopyOption.REPLACE_EXISTING);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        AtomicFiles.writeSecret(temp, cluster[0]);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(pub, cluster[1]);
        LOG.warn("cluster: this node's SSH host key {} is now the cluster's ({}); its own key was moved to {}.before-cluster",
                file, cluster[1].strip(), file.getFileName());
        return true;
    }
}
