package labdrop.cluster;

import java.security.SecureRandom;
import java.util.Base64;
import labdrop.store.SecretRows;
import labdrop.store.Store;

/**
 * Keys every node of a cluster must hold alike besides the SSH host key ({@link SharedHostKey}):
 * the first node to ask stores a new random key in the store ({@code cluster_secrets}), and every
 * node uses the one stored.
 */
public final class SharedKeys {
    /** The login form's HMAC key: a form one node served is posted through the balancer to another. */
    static final String LOGIN_FORM = "login-form-key";
    private static final SecureRandom RANDOM = new SecureRandom();

    private SharedKeys() {
    }

    /** The cluster's login form key (32 bytes). */
    public static byte[] loginForm(Store store) {
        byte[] mine = new byte[32];
        RANDOM.nextBytes(mine);
        String offered = Base64.getEncoder().encodeToString(mine);
        String stored = store.tx(h -> SecretRows.offer(h, LOGIN_FORM, offered));
        return Base64.getDecoder().decode(stored);
    }
}
