package labdrop.drop;

import java.util.regex.Pattern;
import labdrop.error.BadInputException;

/**
 * The one pattern every host name, lab name, user name and request id must match before it
 * touches a path, a query or an XML file.
 */
public final class Names {
    public static final String RULE = "[a-z0-9][a-z0-9._-]{0,62}";
    private static final Pattern PATTERN = Pattern.compile(RULE);

    private Names() {
    }

    public static boolean isValid(String candidate) {
        return candidate != null && PATTERN.matcher(candidate).matches();
    }

    /** Returns {@code candidate} if valid; otherwise throws naming {@code what}, the input and the rule. */
    public static String require(String what, String candidate) {
        if (isValid(candidate)) {
            return candidate;
        }
        throw new BadInputException(what + " " + quote(candidate) + " is not valid: it must match "
                + RULE + " (1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter"
                + " or digit; no '/', no spaces, no URL escapes). Choose a name such as 'sut-01'.");
    }

    /** Quotes untrusted text for a message: control characters escaped, long input cut. */
    public static String quote(String text) {
        if (text == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder("'");
        int limit = Math.min(text.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > limit) {
            out.append("...' (").append(text.length()).append(" characters)");
        } else {
            out.append('\'');
        }
        return out.toString();
    }
}
