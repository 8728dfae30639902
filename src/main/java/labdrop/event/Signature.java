package labdrop.event;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook body: {@code sha256=} and the hex HMAC-SHA256 of the body's bytes
 * with the webhook's secret, sent in {@link #HEADER} (the form GitHub's webhooks use).
 */
public final class Signature {
    public static final String HEADER = "X-Labdrop-Signature-256";

    private Signature() {
    }

    public static String of(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Compares in constant time, as a receiver should. */
    public static boolean verify(String secret, byte[] body, String header) {
        return header != null && MessageDigest.isEqual(of(secret, body).getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII));
    }
}
