package labdrop.result;

/**
 * The bounds on what a test reports about its cases, checked where the cases are read (by the
 * agent from the test's files and stdout, and again by the server from {@code cases.xml}).
 */
public final class CaseLimits {
    /** Largest JUnit XML or TAP file the agent reads; a larger one is reported and skipped. */
    public static final long MAX_FILE_BYTES = 16L << 20;
    /** Of a test's stdout, the part read for TAP. */
    public static final long MAX_STDOUT_BYTES = 16L << 20;
    /** Result files read from one test's results folder (the first ones by name). */
    public static final int MAX_FILES = 100;
    /** Cases kept per test; the rest are counted as dropped. */
    public static final int MAX_CASES_PER_TEST = 10_000;
    /** Cases kept per request (cases.xml); the server refuses a cases.xml with more. */
    public static final int MAX_CASES_PER_REQUEST = 20_000;
    /** Characters of a suite or case name. */
    public static final int MAX_NAME = 255;
    /** Characters of a case's message or of a problem. */
    public static final int MAX_MESSAGE = 1000;
    /** Problems kept per test. */
    public static final int MAX_PROBLEMS = 20;
    /** Largest cases.xml the server reads. */
    public static final long MAX_CASES_FILE_BYTES = 32L << 20;
    /** Deepest nesting of JUnit elements or TAP subtests read. */
    public static final int MAX_DEPTH = 32;

    private CaseLimits() {
    }

    /** {@code text} cut to {@code max} characters (ending in "..." when cut), control characters but tab and newline made spaces. */
    public static String cap(String text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || c == 0xfffe || c == 0xffff
                    || Character.isSurrogate(c) && !validSurrogate(text, i);
            out.append(control ? ' ' : c);
        }
        if (text.length() > max) {
            out.setLength(max - 3);
            if (Character.isHighSurrogate(out.charAt(out.length() - 1))) {
                out.setLength(out.length() - 1);
            }
            out.append("...");
        }
        return out.toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
