package labdrop.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import labdrop.error.BadInputException;
import labdrop.error.LabdropException;
import labdrop.host.Host;
import labdrop.pkg.PackageType;
import labdrop.queue.RequestDesk;
import labdrop.request.Job;
import labdrop.request.Request;
import labdrop.request.RequestState;
import labdrop.store.RequestRows;

/**
 * The requests page ({@code /requests}): every request newest first, narrowed by mine, state,
 * host, host type, test, free text and job, a page of {@value #PER_PAGE} at a time. The filters are the
 * API's ({@code GET /api/v1/requests}) and {@code labdrop request list}'s.
 */
final class RequestListPage {
    static final int PER_PAGE = 50;
    private static final List<String> FILTERS = List.of("mine", "state", "host", "type", "test", "q", "job");
    private final WebServices services;
    private final Pages pages;

    RequestListPage(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
    }

    /** GET /requests. */
    void view(Exchange x) {
        Map<String, Object> values = PageValues.base(x.session(), Optional.of(x.user()));
        Map<String, String> asked = new LinkedHashMap<>();
        FILTERS.forEach(f -> {
            String v = x.query(f);
            asked.put(f, v == null || v.isBlank() ? "" : v.strip());
        });
        values.put("f", asked);
        values.put("states", Arrays.stream(RequestState.values()).map(RequestState::label).toList());
        TreeSet<String> types = new TreeSet<>();
        services.hosts().list().stream().map(Host::type).forEach(types::add);
        values.put("types", types);
        values.put("tests", services.lab().catalog().names(PackageType.TEST));
        int status = 200;
        List<Map<String, Object>> rows = new ArrayList<>();
        int page = 1;
        boolean more = false;
        try {
            page = x.number("page", 1, 1, RequestDesk.MAX_OFFSET / PER_PAGE);
            long job = asked.get("job").isEmpty() ? 0 : Job.numberOf(asked.get("job"));
            if (job < 0) {
                throw new BadInputException("job '" + asked.get("job") + "' is not a job id; job ids look like j-7");
            }
            RequestRows.Filter filter = new RequestRows.Filter(orNull(asked.get("host")),
                    asked.get("state").isEmpty() ? null : RequestState.parse(asked.get("state")), orNull(asked.get("type")),
                    job == 0 ? null : job, asked.get("mine").equals("true") ? x.user().name() : null,
                    orNull(asked.get("test")), orNull(asked.get("q")));
            List<Request> found = services.desk().list(filter, (page - 1) * PER_PAGE, PER_PAGE + 1);
            more = found.size() > PER_PAGE;
            found.stream().limit(PER_PAGE).forEach(r -> rows.add(row(r)));
        } catch (LabdropException e) {
            values.put("error", e.getMessage());
            status = Errors.status(e);
        }
        values.put("requests", rows);
        values.put("page", page);
        values.put("previous", page > 1 ? link(asked, page - 1) : null);
        values.put("next", more ? link(asked, page + 1) : null);
        x.html(status, pages.render("requests.peb", values));
    }

    private static Map<String, Object> row(Request r) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", r.id());
        m.put("state", r.state().label());
        m.put("host", r.host() == null ? "" : r.host());
        m.put("pool", r.pool() == null ? "" : r.pool().label());
        m.put("job", r.job() == null ? "" : Job.idOf(r.job()));
        m.put("requester", r.requester());
        m.put("healthCheck", r.healthCheck());
        m.put("tests", String.join(", ", r.tests().stream().map(t -> t.packageName()
                + (t.args().isEmpty() ? "" : " " + String.join(" ", t.args()))).toList()));
        m.put("filed", r.filedAt().toString());
        m.put("reason", r.reason() == null ? "" : r.reason());
        return m;
    }

    /** This page's filters with another page number, as a link. */
    private static String link(Map<String, String> asked, int page) {
        StringBuilder out = new StringBuilder("/requests?page=" + page);
        asked.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return out.toString();
    }

    private static String orNull(String text) {
        return text.isEmpty() ? null : text;
    }
}
