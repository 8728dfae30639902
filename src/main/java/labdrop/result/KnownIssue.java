package labdrop.result;

import java.time.Instant;
import labdrop.drop.Names;
import labdrop.error.BadInputException;

/**
 * A failing case a tester or admin marked as known (with a note or a link): for its test, its case
 * (suite and name) and, optionally, one host type. A known failure is shown apart and is not a
 * regression; when the case passes again the mark is flagged as possibly stale.
 */
public record KnownIssue(long id, String test, String suite, String name, String hostType, String note,
                         String createdBy, Instant createdAt, Instant staleAt, Long staleRequest) {
    /** Known issues one test may carry. */
    public static final int MAX_PER_TEST = 1000;

    public KnownIssue {
        Names.require("test package name", test);
        if (hostType != null) {
            Names.require("host type", hostType);
        }
        if (name == null || name.isBlank() || name.length() > CaseLimits.MAX_NAME || suite.length() > CaseLimits.MAX_NAME) {
            throw new BadInputException("a known issue names a case of 1 to " + CaseLimits.MAX_NAME
                    + " characters (and a suite of at most " + CaseLimits.MAX_NAME + "); give the case as it is shown");
        }
        if (note == null || note.isBlank() || note.length() > CaseLimits.MAX_MESSAGE) {
            throw new BadInputException("a known issue needs a note or a link of 1 to " + CaseLimits.MAX_MESSAGE
                    + " characters: say why it fails or where it is tracked");
        }
    }

    /** True when this mark covers case {@code fullName} of {@code test} run on {@code type}. */
    public boolean covers(String testName, String fullName, String type) {
        return test.equals(testName) && fullName().equals(fullName) && (hostType == null || hostType.equals(type));
    }

    public String fullName() {
        return suite.isEmpty() ? name : suite + "." + name;
    }
}
