package labdrop.result;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a test's cases with the earlier runs of the same test (same arguments) on the same
 * host type: new failure, still failing, fixed, flaky, new case, missing case. Only the previous
 * run is read whole; the runs before it (up to {@link #HISTORY} in all) are read as their failing
 * cases, so a comparison costs the size of the test, never the size of its history.
 */
public final class Regressions {
    /** Earlier runs looked at for flakiness (with this one, the last ten runs). */
    public static final int HISTORY = 9;
    /** Flips in the earlier runs that make a case that fails or changes now flaky. */
    public static final int FLAKY_FLIPS = 2;

    private Regressions() {
    }

    /**
     * One case's verdict; {@code outcome} is null for a missing case, {@code previous} for a new one;
     * {@code knownIssue} names the mark that makes a failure {@link Verdict#KNOWN}.
     */
    public record Finding(String suite, String name, Verdict verdict, CaseOutcome outcome, CaseOutcome previous,
                          Long knownIssue) {
        public Finding(String suite, String name, Verdict verdict, CaseOutcome outcome, CaseOutcome previous) {
            this(suite, name, verdict, outcome, previous, null);
        }

        public String fullName() {
            return suite.isEmpty() ? name : suite + "." + name;
        }
    }

    /**
     * The findings for {@code now} against {@code previous} (the last earlier run's cases, whole)
     * and {@code olderFailing} (the failing cases' full names of the runs before it, newest first).
     * Cases that pass now and passed before, and skips, give no finding.
     */
    public static List<Finding> compare(List<TestCase> now, List<TestCase> previous, List<Set<String>> olderFailing) {
        Map<String, TestCase> before = new LinkedHashMap<>();
        previous.forEach(c -> before.putIfAbsent(c.fullName(), c));
        List<Finding> findings = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (TestCase c : now) {
            String key = c.fullName();
            if (!seen.add(key)) {
                continue;
            }
            TestCase was = before.get(key);
            if (was == null) {
                findings.add(new Finding(c.suite(), c.name(), Verdict.NEW_CASE, c.outcome(), null));
                continue;
            }
            if (c.outcome() == CaseOutcome.SKIP || was.outcome() == CaseOutcome.SKIP) {
                continue;
            }
            boolean fails = c.outcome().failed();
            boolean failed = was.outcome().failed();
            if (!fails && !failed) {
                continue;
            }
            Verdict verdict = fails ? (failed ? Verdict.STILL_FAILING : Verdict.NEW_FAILURE) : Verdict.FIXED;
            if (flips(failed, key, olderFailing) >= FLAKY_FLIPS) {
                verdict = Verdict.FLAKY;
            }
            findings.add(new Finding(c.suite(), c.name(), verdict, c.outcome(), was.outcome()));
        }
        before.forEach((key, was) -> {
            if (!seen.contains(key)) {
                findings.add(new Finding(was.suite(), was.name(), Verdict.MISSING, null, was.outcome()));
            }
        });
        return findings;
    }

    /** The findings after the known issues: which marks hid a failure, and which cases they cover passed now. */
    public record Known(List<Finding> findings, Set<Long> passed, Set<Long> failed) {
    }

    /**
     * Applies the known issues of test {@code test} run on host type {@code type}: a failure they
     * cover (new, still failing, flaky, or a failing new case) becomes {@link Verdict#KNOWN}; a
     * covered case that passes now makes its mark possibly stale, one that fails keeps it fresh.
     */
    public static Known applyKnown(List<Finding> findings, List<TestCase> now, List<KnownIssue> marks, String test,
                                   String type) {
        Set<Long> passed = new HashSet<>();
        Set<Long> failed = new HashSet<>();
        if (marks.isEmpty()) {
            return new Known(findings, passed, failed);
        }
        for (TestCase c : now) {
            for (KnownIssue mark : marks) {
                if (mark.covers(test, c.fullName(), type)) {
                    (c.outcome().failed() ? failed : c.outcome() == CaseOutcome.PASS ? passed : new HashSet<Long>())
                            .add(mark.id());
                }
            }
        }
        List<Finding> out = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            KnownIssue mark = f.outcome() == null || !f.outcome().failed() ? null : marks.stream()
                    .filter(m -> m.covers(test, f.fullName(), type)).findFirst().orElse(null);
            out.add(mark == null ? f : new Finding(f.suite(), f.name(), Verdict.KNOWN, f.outcome(), f.previous(), mark.id()));
        }
        return new Known(out, passed, failed);
    }

    /** Flips of a case's outcome over the earlier runs, newest first: the previous run's, then each older run's. */
    static int flips(boolean previousFailed, String key, List<Set<String>> olderFailing) {
        int flips = 0;
        boolean last = previousFailed;
        for (Set<String> run : olderFailing.subList(0, Math.min(olderFailing.size(), HISTORY - 1))) {
            boolean failed = run.contains(key);
            if (failed != last) {
                flips++;
            }
            last = failed;
        }
        return flips;
    }
}
