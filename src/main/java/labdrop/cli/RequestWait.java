package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.error.BadInputException;
import labdrop.request.Job;
import labdrop.request.Request;
import labdrop.request.RequestState;

/**
 * Waits for requests (a job counts as its requests) to finish, for CI: each state change on
 * stderr as it happens, then per finished request one line with its outcome and one line per test
 * with its failing cases, and an exit code that says how it went (docs/cli.md): 0 passed,
 * {@link #FAILED}, {@link #ERROR} (error or aborted), {@link #CANCELLED} (cancelled or rejected),
 * {@link #TIMEOUT}; over several requests the worst, timeout first.
 */
final class RequestWait {
    static final int FAILED = 10;
    static final int ERROR = 11;
    static final int CANCELLED = 12;
    static final int TIMEOUT = 13;
    /** Failing cases named per test on its line; the rest are counted. */
    static final int NAMED = 10;

    private final LabClient lab;
    private final Duration timeout;
    private final Duration interval;
    private final PrintStream out;
    private final PrintStream err;

    RequestWait(LabClient lab, Duration timeout, Duration interval, PrintStream out, PrintStream err) {
        this.lab = lab;
        this.timeout = timeout;
        this.interval = interval;
        this.out = out;
        this.err = err;
    }

    /** Waits for {@code ids} (r-N or j-N) and returns the exit code. */
    int await(List<String> ids) throws IOException, InterruptedException {
        List<String> requests = new ArrayList<>();
        for (String id : ids) {
            if (Job.numberOf(id) >= 0) {
                lab.get("/jobs/" + Remote.encode(id)).get("requests").forEach(r -> requests.add(Remote.text(r, "id")));
            } else if (Request.numberOf(id) >= 0) {
                requests.add(id);
            } else {
                throw new BadInputException("'" + id + "' is neither a request id (r-N) nor a job id (j-N)");
            }
        }
        Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
        Map<String, String> lastState = new HashMap<>();
        Map<String, JsonNode> finished = new LinkedHashMap<>();
        while (true) {
            for (String id : requests) {
                if (finished.containsKey(id)) {
                    continue;
                }
                JsonNode r = lab.get("/requests/" + Remote.encode(id));
                String state = Remote.text(r, "state");
                if (!state.equals(lastState.put(id, state))) {
                    err.println(id + ": " + state + (r.get("host").isNull() ? "" : " on " + Remote.text(r, "host")));
                }
                if (RequestState.parse(state).isFinal()) {
                    finished.put(id, r);
                    report(r);
                }
            }
            if (finished.size() == requests.size()) {
                break;
            }
            if (deadline != null && !Instant.now().isBefore(deadline)) {
                List<String> open = requests.stream().filter(id -> !finished.containsKey(id))
                        .map(id -> id + " (" + lastState.get(id) + ")").toList();
                out.println("timed out after " + timeout.toSeconds() + "s waiting for " + String.join(", ", open));
                return TIMEOUT;
            }
            Thread.sleep(deadline == null ? interval.toMillis()
                    : Math.max(1, Math.min(interval.toMillis(), Duration.between(Instant.now(), deadline).toMillis())));
        }
        int code = 0;
        for (JsonNode r : finished.values()) {
            code = worse(code, exitCode(RequestState.parse(Remote.text(r, "state"))));
        }
        return code;
    }

    static int exitCode(RequestState state) {
        return switch (state) {
            case PASSED -> 0;
            case FAILED -> FAILED;
            case ERROR, ABORTED -> ERROR;
            case CANCELLED, REJECTED -> CANCELLED;
            default -> TIMEOUT;
        };
    }

    /** Of two exit codes, the one that says more is wrong: timeout, error, cancelled, failed, passed. */
    static int worse(int a, int b) {
        List<Integer> order = List.of(0, FAILED, CANCELLED, ERROR, TIMEOUT);
        return order.indexOf(a) >= order.indexOf(b) ? a : b;
    }

    /** {@code r-12 Failed on pi-1: 2 tests, 1 fail, 1 pass}, then a line per test. */
    private void report(JsonNode r) {
        out.println(Remote.text(r, "id") + " " + Remote.text(r, "state")
                + (r.get("host").isNull() ? "" : " on " + Remote.text(r, "host"))
                + (r.get("reason").isNull() ? "" : ": " + Remote.text(r, "reason")));
        for (JsonNode t : r.get("results")) {
            StringBuilder line = new StringBuilder("  " + Remote.text(t, "index") + " " + Remote.text(t, "name") + " "
                    + Remote.text(t, "outcome"));
            if (!t.get("exitCode").isNull()) {
                line.append(" (exit ").append(Remote.text(t, "exitCode")).append(')');
            }
            JsonNode counts = t.get("cases");
            List<String> parts = new ArrayList<>();
            int total = 0;
            for (String outcome : List.of("pass", "fail", "error", "skip")) {
                int n = counts.get(outcome).asInt();
                total += n;
                if (n > 0) {
                    parts.add(n + " " + outcome);
                }
            }
            line.append(" · ").append(total).append(total == 1 ? " case" : " cases");
            if (!parts.isEmpty()) {
                line.append(": ").append(String.join(", ", parts));
            }
            List<String> failing = new ArrayList<>();
            t.get("failingCases").forEach(c -> {
                String suite = Remote.text(c, "suite");
                String name = Remote.text(c, "name");
                failing.add(suite.isEmpty() || suite.equals(name) ? name : suite + "." + name);
            });
            int failed = counts.get("fail").asInt() + counts.get("error").asInt();
            if (!failing.isEmpty()) {
                line.append(" · failing: ").append(String.join(", ", failing.subList(0, Math.min(NAMED, failing.size()))));
                if (failed > NAMED) {
                    line.append(" and ").append(failed - NAMED).append(" more");
                }
            }
            out.println(line);
        }
    }
}
