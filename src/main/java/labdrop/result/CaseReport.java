package labdrop.result;

import java.util.ArrayList;
import java.util.List;

/**
 * The cases read from one test's output (its results folder and its stdout), the problems met on
 * the way (a malformed or oversized file: each names the file and what was done), and how many
 * cases were left out over the cap.
 */
public final class CaseReport {
    private final List<TestCase> cases = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final int room;
    private int dropped;

    /** A report that keeps at most {@code room} cases. */
    public CaseReport(int room) {
        this.room = room;
    }

    /** Adds {@code c} when there is room; else counts it as dropped. */
    public void add(TestCase c) {
        if (cases.size() < room) {
            cases.add(c);
        } else {
            dropped++;
        }
    }

    /** Counts {@code n} cases left out before they reached this report. */
    public void drop(int n) {
        dropped += n;
    }

    public void problem(String message) {
        if (problems.size() < CaseLimits.MAX_PROBLEMS) {
            problems.add(CaseLimits.cap(message, CaseLimits.MAX_MESSAGE));
        }
    }

    public List<TestCase> cases() {
        return cases;
    }

    /** The problems, with one more for the cases dropped over the cap. */
    public List<String> problems() {
        if (dropped == 0) {
            return problems;
        }
        List<String> all = new ArrayList<>(problems);
        all.add(dropped + " more cases were left out: at most " + room + " cases are kept per test"
                + " (split the test, or report fewer, coarser cases)");
        return all;
    }

    public int dropped() {
        return dropped;
    }

    /** True when any kept case failed or errored. */
    public boolean anyFailed() {
        return cases.stream().anyMatch(c -> c.outcome().failed());
    }
}
