package labdrop.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.error.BadInputException;
import labdrop.result.Verdict;

/** {@code /api/v1/regressions}: what changed in the lab's results lately, by test and host type. */
final class RegressionsApi {
    /** Longest look back: a quarter. */
    static final int MAX_DAYS = 92;
    private final WebServices services;

    RegressionsApi(WebServices services) {
        this.services = services;
    }

    void routes(Router<ApiCall> router) {
        router.add("GET", "/regressions", this::list);
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
