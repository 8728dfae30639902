package labdrop.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * The login form's CSRF protection without any server state for anonymous visitors: the form
 * carries {@code expiry.HMAC(nonce.expiry)} under a key of this process (of the cluster, on a cluster), the nonce travels in a
 * {@code SameSite=Strict} cookie only this site can set, and the pair is good for {@link #LIFETIME}.
 * A flood of anonymous page views costs no memory; a session exists only once someone logs in.
 */
final class LoginForm {
    static final Duration LIFETIME = Duration.ofMinutes(15);
    static final String COOKIE = "labdrop_login";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] key;
    private final Clock clock;

    /** A form keyed by this process alone (a single server). */
    LoginForm(Clock clock) {
        this(clock, randomKey());
    }

    /** A form keyed by {@code key}: on a cluster the key every node holds, so a form one node served is good at another. */
    LoginForm(Clock clock, byte[] key) {
        this.clock = clock;
        this.key = key.clone();
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    /**
     * A form token for the browser's nonce cookie, set on {@code response} when it has none yet;
     * the same browser keeps its nonce, so a page it loads meanwhile (a second tab, the favicon's
     * redirect) does not spoil the form it shows.
     */
    String issue(Request request, Response response) {
        String nonce = nonce(request);
        if (nonce == null) {
            byte[] bytes = new byte[18];
            RANDOM.nextBytes(bytes);
            nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
        long expiry = clock.millis() / 1000 + LIFETIME.toSeconds();
        Response.addCookie(response, HttpCookie.build(COOKIE, nonce).path("/login").httpOnly(true)
                .sameSite(HttpCookie.SameSite.STRICT).secure(request.isSecure()).maxAge(LIFETIME.toSeconds()).build());
        return expiry + "." + mac(nonce + "." + expiry);
    }

    /** True when {@code token} was issued here, with the nonce cookie {@code request} carries, and has not expired. */
    boolean valid(Request request, String token) {
        if (token == null || token.length() > 200) {
            return false;
        }
        String nonce = nonce(request);
        int dot = token.indexOf('.');
        if (nonce == null || dot <= 0) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        long now = clock.millis() / 1000;
        return expiry >= now && expiry <= now + LIFETIME.toSeconds() && MessageDigest.isEqual(
                mac(nonce + "." + expiry).getBytes(StandardCharsets.UTF_8),
                token.substring(dot + 1).getBytes(StandardCharsets.UTF_8));
    }

    private static String nonce(Request request) {
        return Request.getCookies(request).stream().filter(c -> c.getName().equals(COOKIE)).map(HttpCookie::getValue)
                .filter(v -> v.matches("[A-Za-z0-9_-]{24}")).findFirst().orElse(null);
    }

    private String mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
