package labdrop.result;

import java.util.Locale;
import java.util.Optional;

/** What a case's outcome means against the earlier runs of its test on the same host type. */
public enum Verdict {
    /** Fails now, passed in the previous run. */
    NEW_FAILURE,
    /** Fails now and failed in the previous run. */
    STILL_FAILING,
    /** Passes now, failed in the previous run. */
    FIXED,
    /** Fails or changed now, and its outcome had already flipped at least twice in the earlier runs. */
    FLAKY,
    /** Not in the previous run. */
    NEW_CASE,
    /** In the previous run, not in this one. */
    MISSING,
    /** Fails now, and is marked as a known issue: shown apart, not a regression. */
    KNOWN;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Verdict> of(String label) {
        for (Verdict v : values()) {
            if (v.label().equals(label)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** The verdicts a tester acts on: something changed for the worse or the better. */
    public boolean isChange() {
        return this == NEW_FAILURE || this == FIXED;
    }
}
