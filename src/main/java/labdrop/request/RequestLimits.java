package labdrop.request;

import labdrop.drop.Names;
import labdrop.error.BadInputException;

/**
 * The limits a filed request must keep before it is stored: exactly what {@code request-1.xsd}
 * accepts (so every stored request renders into a request file a SUT will take), plus a bound
 * on timeouts. Checked once, by {@link #check}, where every filing arrives (the web form, the
 * API and the CLI all file through the server's request desk).
 */
public final class RequestLimits {
    /** Tests in one request ({@code maxOccurs} of {@code <test>}). */
    public static final int MAX_TESTS = 1000;
    /** Arguments of one test ({@code maxOccurs} of {@code <arg>}). */
    public static final int MAX_ARGS = 100;
    /** Characters of one argument, control file, kernel-install or build-set step (the schema's {@code text}). */
    public static final int MAX_TEXT = 1000;
    /** Characters of all arguments of one test together, one separator between each (the store's column). */
    public static final int MAX_ARGS_CHARS = 4000;
    /** Longest timeout a request or a test may ask for: seven days. */
    public static final int MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

    private RequestLimits() {
    }

    /** Throws {@link BadInputException} naming the input, the rule and what to do when {@code spec} breaks a limit. */
    public static void check(RequestSpec spec) {
        if (spec.tests().size() > MAX_TESTS) {
            throw new BadInputException("the request names " + spec.tests().size() + " tests; at most " + MAX_TESTS
                    + " may be filed at once: split it into several requests");
        }
        text("kernel-install step", spec.kernelInstall());
        text("build-set step", spec.buildSet());
        timeout("request timeout", spec.timeoutSeconds());
        for (int i = 0; i < spec.tests().size(); i++) {
            TestSpec test = spec.tests().get(i);
            String which = "test " + (i + 1) + " (" + test.packageName() + ")";
            if (test.args().size() > MAX_ARGS) {
                throw new BadInputException(which + " has " + test.args().size() + " arguments; at most " + MAX_ARGS
                        + " are allowed: pass long lists through a file in the test package");
            }
            int chars = String.join(" ", test.args()).length();
            if (chars > MAX_ARGS_CHARS) {
                throw new BadInputException(which + " has " + chars + " characters of arguments; at most " + MAX_ARGS_CHARS
                        + " are allowed together: pass long lists through a file in the test package");
            }
            text(which + " control file", test.control());
            for (int a = 0; a < test.args().size(); a++) {
                text(which + " argument " + (a + 1), test.args().get(a));
            }
            timeout(which + " timeout", test.timeoutSeconds());
        }
    }

    private static void text(String what, String value) {
        if (value == null) {
            return;
        }
        if (value.length() > MAX_TEXT) {
            throw new BadInputException(what + " " + Names.quote(value) + " is longer than " + MAX_TEXT
                    + " characters; shorten it, or put the long part in a script inside the test package");
        }
        value.codePoints().filter(c -> (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0xd800 && c <= 0xdfff)
                || c == 0xfffe || c == 0xffff).findFirst().ifPresent(c -> {
                    throw new BadInputException(what + " " + Names.quote(value) + " holds a control character (code "
                            + c + "); only printable text and tabs are allowed");
                });
    }

    private static void timeout(String what, Integer seconds) {
        if (seconds != null && (seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS)) {
            throw new BadInputException(what + " of " + seconds + " s is out of range: give 1 to " + MAX_TIMEOUT_SECONDS
                    + " seconds (7 days), or leave it out for the host's default");
        }
    }
}
