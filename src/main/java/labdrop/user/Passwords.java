package labdrop.user;

import java.security.SecureRandom;
import java.util.Base64;
import labdrop.error.BadInputException;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** Password hashing with bcrypt (Bouncy Castle's OpenBSD-compatible implementation), and random passwords. */
public final class Passwords {
    private static final int COST = 12;
    private static final int MIN_LENGTH = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    public static String hash(char[] password) {
        if (password.length < MIN_LENGTH) {
            throw new BadInputException("a password must have at least " + MIN_LENGTH + " characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password, salt, COST);
    }

    public static boolean matches(String hash, char[] password) {
        return hash != null && OpenBSDBCrypt.checkPassword(hash, password);
    }

    /** 24 random URL-safe characters (144 bits). */
    public static String random() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
