package labdrop.ssh;

import java.security.PublicKey;
import java.util.Optional;

/**
 * Who may log in to an {@link EmbeddedSshServer}: the server's registered host and lab keys
 * ({@link KeyRegistry}), or a lab gateway's own keys for the SUTs behind it. Both are asked at
 * every login and every few seconds for each open session, so a removed key stops working at once.
 */
public interface Logins {
    /** The login this key grants to {@code user}, if any. */
    Optional<Login> authenticate(String user, PublicKey key);

    /** True while the login a session was granted would still be granted. */
    boolean stillValid(Login login);
}
