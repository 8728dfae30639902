package labdrop.ssh;

import java.io.IOException;
import java.security.PublicKey;
import labdrop.error.BadInputException;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * Public keys as labdrop stores them: the type and the base64 blob only. Whatever an uploaded
 * line carries besides (authorized_keys options such as {@code command=}, a comment) is dropped;
 * a text with more than one line is refused, so nothing can smuggle a second key or option line.
 */
public final class PublicKeys {
    private PublicKeys() {
    }

    /** One bare key. */
    public record Bare(String type, String base64, String fingerprint) {
        public String line() {
            return type + " " + base64;
        }

        public PublicKey publicKey() {
            try {
                return PublicKeyEntry.parsePublicKeyEntry(line()).resolvePublicKey(null, null, null);
            } catch (Exception e) {
                throw new IllegalStateException("stored key " + fingerprint + " no longer parses", e);
            }
        }
    }

    /** Parses an OpenSSH public key or authorized_keys line; {@code source} names it in errors. */
    public static Bare parse(String text, String source) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new BadInputException(source + " is empty; give an OpenSSH public key (the .pub file ssh-keygen writes)");
        }
        if (trimmed.contains("\n") || trimmed.contains("\r")) {
            throw new BadInputException(source + " holds more than one line; give one key per file");
        }
        PublicKey key;
        AuthorizedKeyEntry entry;
        try {
            entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(trimmed);
            if (entry == null) {
                throw new IllegalArgumentException("no key");
            }
            key = entry.resolvePublicKey(null, null, null);
        } catch (Exception e) {
            throw new BadInputException(source + " is not an OpenSSH public key (" + e.getMessage()
                    + "); give the .pub file ssh-keygen writes, e.g. 'ssh-ed25519 AAAA... comment'");
        }
        if (key == null) {
            throw new BadInputException(source + ": key type '" + entry.getKeyType() + "' is not supported;"
                    + " use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (3072 bits or more)");
        }
        if ("RSA".equals(key.getAlgorithm()) && KeyUtils.getKeySize(key) < 3072) {
            throw new BadInputException(source + ": an RSA key of " + KeyUtils.getKeySize(key)
                    + " bits is too weak; use ssh-ed25519, or RSA with 3072 bits or more");
        }
        return new Bare(KeyUtils.getKeyType(key), base64(key), fingerprint(key));
    }

    /** The key's blob in base64, as an authorized_keys line carries it (what logins are compared on). */
    public static String base64(PublicKey key) {
        StringBuilder line = new StringBuilder();
        try {
            PublicKeyEntry.appendPublicKeyEntry(line, key);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a " + key.getAlgorithm() + " key", e);
        }
        return line.toString().split(" ")[1];
    }

    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(key);
    }
}
