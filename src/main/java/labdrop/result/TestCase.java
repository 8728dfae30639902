package labdrop.result;

/**
 * One case a test reported: the suite it belongs to (a JUnit classname or testsuite, a TAP
 * subtest's path, else the test's own name), its name, outcome, duration when known and a
 * message (the failure's, capped at {@link CaseLimits#MAX_MESSAGE} characters).
 */
public record TestCase(String suite, String name, CaseOutcome outcome, Long durationMillis, String message) {
    public TestCase {
        suite = CaseLimits.cap(suite, CaseLimits.MAX_NAME);
        name = CaseLimits.cap(name, CaseLimits.MAX_NAME);
        message = message == null || message.isBlank() ? null : CaseLimits.cap(message.strip(), CaseLimits.MAX_MESSAGE);
    }

    /** The case's full name as CI shows it: {@code suite.name}, or the name alone when the suite is empty. */
    public String fullName() {
        return suite.isEmpty() ? name : suite + "." + name;
    }
}
