package labdrop.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegressionsTest {
    private static TestCase c(String name, CaseOutcome outcome) {
        return new TestCase("s", name, outcome, null, null);
    }

    /** Runs {@code outcomes} of one case in order, each compared as ingest compares it; the verdicts (null: none). */
    private static List<Verdict> sequence(CaseOutcome... outcomes) {
        List<List<TestCase>> runs = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>();
        for (CaseOutcome o : outcomes) {
            List<TestCase> now = List.of(c("a", o));
            if (runs.isEmpty()) {
                verdicts.add(null);
            } else {
                List<Set<String>> older = new ArrayList<>();
                for (int i = runs.size() - 2; i >= 0; i--) {
                    Set<String> failing = new HashSet<>();
                    runs.get(i).stream().filter(t -> t.outcome().failed()).forEach(t -> failing.add(t.fullName()));
                    older.add(failing);
                }
                List<Regressions.Finding> found = Regressions.compare(now, runs.get(runs.size() - 1), older);
                verdicts.add(found.isEmpty() ? null : found.get(0).verdict());
            }
            runs.add(now);
        }
        return verdicts;
    }

    @Test
    void passFailFailPassFailPassGoesNewFailureStillFailingFixedThenFlaky() {
        CaseOutcome p = CaseOutcome.PASS;
        CaseOutcome f = CaseOutcome.FAIL;
        assertThat(sequence(p, f, f, p, f, p)).containsExactly(null, Verdict.NEW_FAILURE, Verdict.STILL_FAILING,
                Verdict.FIXED, Verdict.FLAKY, Verdict.FLAKY);
    }

    @Test
    void aLongStablePassAfterOldFlipsIsNotFlakyAnymore() {
        CaseOutcome p = CaseOutcome.PASS;
        CaseOutcome f = CaseOutcome.FAIL;
        List<Verdict> verdicts = sequence(p, f, p, f, p, p, p, p, p, p, p, p, f);
        assertThat(verdicts.get(verdicts.size() - 1)).as("the flips are more than ten runs ago").isEqualTo(Verdict.NEW_FAILURE);
    }

    @Test
    void newAndMissingCasesAndSkipsAndErrors() {
        List<TestCase> before = List.of(c("kept", CaseOutcome.PASS), c("gone", CaseOutcome.FAIL), c("skipped", CaseOutcome.FAIL),
                c("broken", CaseOutcome.PASS));
        List<TestCase> now = List.of(c("kept", CaseOutcome.PASS), c("fresh", CaseOutcome.FAIL), c("skipped", CaseOutcome.SKIP),
                c("broken", CaseOutcome.ERROR));
        assertThat(Regressions.compare(now, before, List.of())).extracting(f -> f.name() + ":" + f.verdict().label())
                .containsExactly("fresh:new-case", "broken:new-failure", "gone:missing");
    }
}
