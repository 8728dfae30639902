package labdrop.result;

import java.util.Locale;
import java.util.Optional;

/** How one test case ended, in the words JUnit XML and TAP share. */
public enum CaseOutcome {
    PASS, FAIL, ERROR, SKIP;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for the outcomes that count against a run: fail and error. */
    public boolean failed() {
        return this == FAIL || this == ERROR;
    }

    public static Optional<CaseOutcome> of(String label) {
        for (CaseOutcome o : values()) {
            if (o.label().equals(label)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** The case a test without cases counts as: its own outcome (pass, fail, error, skipped, aborted). */
    public static CaseOutcome ofTest(String testOutcome) {
        return switch (testOutcome) {
            case "pass" -> PASS;
            case "fail" -> FAIL;
            case "skipped" -> SKIP;
            default -> ERROR;
        };
    }
}
