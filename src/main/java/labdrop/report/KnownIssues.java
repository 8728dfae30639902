package labdrop.report;

import java.util.List;
import labdrop.error.ConflictException;
import labdrop.error.NotFoundException;
import labdrop.lab.Lab;
import labdrop.result.KnownIssue;
import labdrop.store.KnownIssueRows;

/** Marking failing cases as known issues, listing and removing the marks. Who may: the web and API decide. */
public final class KnownIssues {
    /** Marks listed at most. */
    public static final int LISTED = 1000;
    private final Lab lab;

    public KnownIssues(Lab lab) {
        this.lab = lab;
    }

    /** Marks {@code suite.name} of {@code test} (on {@code hostType}, or every type when null) as known. */
    public KnownIssue mark(String test, String suite, String name, String hostType, String note, String by) {
        KnownIssue draft = new KnownIssue(0, test, suite == null ? "" : suite.strip(), name == null ? null : name.strip(),
                hostType == null || hostType.isBlank() ? null : hostType.strip(), note == null ? null : note.strip(), by,
                lab.now(), null, null);
        return lab.store().tx(h -> {
            if (KnownIssueRows.countFor(h, test) >= KnownIssue.MAX_PER_TEST) {
                throw new ConflictException("test '" + test + "' already has " + KnownIssue.MAX_PER_TEST
                        + " known issues, the most one test may carry; remove the ones that are fixed first");
            }
            long id = KnownIssueRows.add(h, draft);
            return KnownIssueRows.find(h, id).orElseThrow();
        });
    }

    public List<KnownIssue> list() {
        return lab.store().read(h -> KnownIssueRows.all(h, LISTED));
    }

    public KnownIssue find(long id) {
        return lab.store().read(h -> KnownIssueRows.find(h, id))
                .orElseThrow(() -> new NotFoundException("no known issue " + id + "; GET /api/v1/known-issues lists them"));
    }

    public void remove(long id) {
        lab.store().tx(h -> {
            KnownIssueRows.remove(h, id);
            return null;
        });
    }
}
