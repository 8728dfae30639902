package labdrop.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.event.Event;
import labdrop.event.EventKind;
import labdrop.host.Host;
import labdrop.request.Job;
import labdrop.request.Request;
import labdrop.result.Verdict;
import labdrop.store.HistoryRows;
import labdrop.store.HostRows;
import labdrop.store.JobRows;
import labdrop.store.RequestRows;
import labdrop.store.ResultRows;
import org.jdbi.v3.core.Handle;

/**
 * What a webhook receives and a mail says about one event, read from the store when the event is
 * fanned out (a finished request or job no longer changes). docs/api.md shows the bodies.
 */
final class EventBodies {
    /** New failures listed at most in one body or mail. */
    static final int MAX_LISTED = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String linkBase;

    EventBodies(String linkBase) {
        this.linkBase = linkBase;
    }

    /** The facts of one event, shared by its webhook body and its mail. */
    record Facts(Event event, Optional<Host> host, Optional<Request> request, Optional<Job> job,
                 List<ResultRows.TestResult> tests, List<HistoryRows.Stored> newFailures) {
    }

    Facts facts(Handle h, Event e) {
        Optional<Request> request = Optional.ofNullable(e.requestNum()).flatMap(n -> RequestRows.find(h, n));
        Optional<Job> job = e.kind() == EventKind.JOB_FINISHED
                ? Optional.ofNullable(e.jobNum()).flatMap(n -> JobRows.find(h, n)) : Optional.empty();
        List<ResultRows.TestResult> tests = request.isPresent() && e.kind() == EventKind.REQUEST_FINISHED
                ? ResultRows.of(h, e.requestNum()) : List.of();
        List<HistoryRows.Stored> failures = e.kind() == EventKind.REGRESSION && e.requestNum() != null
                ? HistoryRows.verdicts(h, e.requestNum(), Integer.MAX_VALUE).stream()
                        .filter(v -> v.finding().verdict() == Verdict.NEW_FAILURE).limit(MAX_LISTED).toList()
                : List.of();
        return new Facts(e, Optional.ofNullable(e.host()).flatMap(n -> HostRows.find(h, n)), request, job, tests, failures);
    }

    String json(Facts f) {
        Map<String, Object> m = new LinkedHashMap<>();
        Event e = f.event();
        m.put("event", e.kind().label());
        m.put("eventId", e.id());
        m.put("at", e.createdAt().toString());
        m.put("detail", e.detail());
        f.host().ifPresent(host -> {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("name", host.name());
            hm.put("type", host.type());
            hm.put("state", host.state().label());
            hm.put("health", host.health().label());
            hm.put("page", link("/hosts/" + host.name()));
            m.put("host", hm);
        });
        f.request().ifPresent(r -> m.put("request", request(r, f.tests())));
        f.job().ifPresent(j -> {
            Map<String, Object> jm = new LinkedHashMap<>();
            jm.put("id", j.id());
            jm.put("state", j.state());
            jm.put("requester", j.requester());
            jm.put("requests", j.members().stream().map(r -> Map.of("id", r.id(), "host", r.host() == null ? "" : r.host(),
                    "state", r.state().label())).toList());
            jm.put("page", link("/jobs/" + j.id()));
            jm.put("junit", link("/api/v1/jobs/" + j.id() + "/junit.xml"));
            m.put("job", jm);
        });
        if (e.kind() == EventKind.REGRESSION) {
            m.put("newFailures", f.newFailures().stream().map(v -> Map.of("test", v.testName(),
                    "suite", v.finding().suite(), "case", v.finding().name())).toList());
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e1) {
            throw new IllegalStateException("maps of strings always serialize", e1);
        }
    }

    private Map<String, Object> request(Request r, List<ResultRows.TestResult> tests) {
        Map<String, Object> rm = new LinkedHashMap<>();
        rm.put("id", r.id());
        rm.put("state", r.state().label());
        rm.put("reason", r.reason());
        rm.put("requester", r.requester());
        rm.put("host", r.host());
        rm.put("job", r.job() == null ? null : Job.idOf(r.job()));
        rm.put("tests", tests.stream().map(t -> Map.of("name", t.name(), "outcome", t.outcome())).toList());
        rm.put("page", link("/requests/" + r.id()));
        rm.put("api", link("/api/v1/requests/" + r.id()));
        rm.put("junit", link("/api/v1/requests/" + r.id() + "/junit.xml"));
        return rm;
    }

    /** The mail's subject. */
    String subject(Facts f) {
        Event e = f.event();
        String what = switch (e.kind()) {
            case REQUEST_FINISHED -> f.request().map(r -> r.id() + " " + r.state().label()).orElse("request finished");
            case JOB_FINISHED -> f.job().map(j -> j.id() + " " + j.state()).orElse("job finished");
            case REGRESSION -> f.request().map(r -> "new failures in " + r.id()).orElse("new failures");
            case HOST_LOST -> "host " + e.host() + " is Lost";
            case HOST_MAINT -> "host " + e.host() + " is in Maint";
            case HOST_UNHEALTHY -> "host " + e.host() + " is unhealthy";
        };
        String on = e.host() == null || e.kind().label().startsWith("host.") ? "" : " on " + e.host();
        return "[labdrop] " + what + on;
    }

    /** The mail's plain-text body. */
    String text(Facts f) {
        StringBuilder out = new StringBuilder();
        Event e = f.event();
        f.request().ifPresent(r -> {
            out.append("Request ").append(r.id()).append(" by ").append(r.requester()).append(": ")
                    .append(r.state().label()).append('\n');
            if (r.reason() != null) {
                out.append(r.reason()).append('\n');
            }
            f.tests().forEach(t -> out.append("  ").append(t.name()).append(": ").append(t.outcome()).append('\n'));
            out.append(link("/requests/" + r.id())).append('\n');
        });
        f.job().ifPresent(j -> {
            out.append("Job ").append(j.id()).append(" by ").append(j.requester()).append(": ").append(j.state()).append('\n');
            j.members().forEach(r -> out.append("  ").append(r.id()).append(" on ").append(r.host()).append(": ")
                    .append(r.state().label()).append('\n'));
            out.append(link("/jobs/" + j.id())).append('\n');
        });
        if (e.kind() == EventKind.REGRESSION) {
            out.append("New failures (failed here, passed in the last run of the test on ")
                    .append(f.host().map(Host::type).orElse("this host type")).append("):\n");
            f.newFailures().forEach(v -> out.append("  ").append(v.testName()).append(": ")
                    .append(v.finding().suite().isEmpty() ? "" : v.finding().suite() + ".").append(v.finding().name()).append('\n'));
        }
        if (f.request().isEmpty() && f.job().isEmpty()) {
            out.append(subject(f).substring("[labdrop] ".length())).append('\n');
            if (e.detail() != null) {
                out.append(e.detail()).append('\n');
            }
            out.append(link("/hosts/" + e.host())).append('\n');
        }
        out.append("\n-- \nlabdrop: you get this mail because you asked for it on ").append(link("/notifications")).append('\n');
        return out.toString();
    }

    private String link(String path) {
        return linkBase + path;
    }
}
