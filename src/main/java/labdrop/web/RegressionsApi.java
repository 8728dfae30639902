package labdrop.web;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.error.BadInputException;
import labdrop.request.Request;
import labdrop.result.KnownIssue;
import labdrop.result.Verdict;

/** {@code /api/v1/regressions} and {@code /api/v1/known-issues}: what changed in the lab's results lately, and the failures marked as known. */
final class RegressionsApi {
    /** Longest look back: a quarter. */
    static final int MAX_DAYS = 92;
    private final WebServices services;

    RegressionsApi(WebServices services) {
        this.services = services;
    }

    void routes(Router<ApiCall> router) {
        router.add("GET", "/regressions", this::list)
                .add("GET", "/known-issues", x -> services.known().list().stream().map(RegressionsApi::known).toList())
                .add("POST", "/known-issues", this::mark)
                .add("DELETE", "/known-issues/{id}", this::remove);
    }

    private Object list(Call x) {
        int days = x.number("days", 7, 1, MAX_DAYS);
        List<Verdict> kinds = kinds(x.query("verdict"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("since", ApiViews.time(services.lab().now().minus(Duration.ofDays(days))));
        m.put("changes", services.reports().changes(services.lab().now().minus(Duration.ofDays(days)), kinds).stream()
                .map(ApiViews::finding).toList());
        return m;
    }

    private Object mark(Call x) throws IOException {
        JsonBody body = x.json();
        KnownIssue issue = services.known().mark(body.text("test", true), body.text("suite", false),
                body.text("case", true), body.text("hostType", false), body.text("note", true), x.user().name());
        x.created();
        return known(issue);
    }

    private Object remove(Call x) {
        KnownIssue issue = services.known().find(id(x.param("id")));
        Access.requireRemoveKnown(x.user(), issue);
        services.known().remove(issue.id());
        return Map.of("removed", issue.id());
    }

    static long id(String text) {
        if (text == null || !text.matches("[0-9]{1,18}")) {
            throw new BadInputException("known issue id '" + text + "' is not a number; GET /api/v1/known-issues lists them");
        }
        return Long.parseLong(text);
    }

    static Map<String, Object> known(KnownIssue k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("test", k.test());
        m.put("suite", k.suite());
        m.put("case", k.name());
        m.put("hostType", k.hostType());
        m.put("note", k.note());
        m.put("createdBy", k.createdBy());
        m.put("created", ApiViews.time(k.createdAt()));
        m.put("possiblyStale", k.staleAt() != null);
        m.put("passedIn", k.staleRequest() == null ? null : Request.idOf(k.staleRequest()));
        m.put("passedAt", ApiViews.time(k.staleAt()));
        return m;
    }

    /** The verdicts asked for (comma-separated labels); new failures and fixes when none. */
    static List<Verdict> kinds(String text) {
        if (text == null || text.isBlank()) {
            return List.of(Verdict.NEW_FAILURE, Verdict.FIXED);
        }
        List<Verdict> kinds = new ArrayList<>();
        for (String label : text.split(",")) {
            kinds.add(Verdict.of(label.strip()).orElseThrow(() -> new BadInputException("verdict=" + label
                    + " is not a verdict; give new-failure, still-failing, fixed, flaky, new-case or missing,"
                    + " comma-separated")));
        }
        return kinds;
    }
}
