package labdrop.request;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.config.Durations;

/**
 * A host type's health check (its {@code health_*} keys, docs/directions.md) and when it is due,
 * as plain rules: when a host leaves Maint, when {@code interval} has passed since its last check,
 * and after {@code afterErrors} of its requests in a row end Error or Aborted.
 */
public record HealthPolicy(List<TestSpec> tests, Duration interval, int afterErrors) {
    public static final HealthPolicy NONE = new HealthPolicy(List.of(), Duration.ZERO, 3);

    public HealthPolicy {
        tests = List.copyOf(tests);
    }

    /** The policy a host type's settings give (already checked by the type file's rules). */
    public static HealthPolicy of(Map<String, String> settings) {
        String tests = settings.getOrDefault("health_check", "").strip();
        String interval = settings.getOrDefault("health_interval", "0").strip();
        return new HealthPolicy(tests.isEmpty() ? List.of()
                : Arrays.stream(tests.split(",")).map(String::strip).map(TestSpec::parse).toList(),
                interval.equals("0") ? Duration.ZERO : Durations.parse(interval),
                Integer.parseInt(settings.getOrDefault("health_after_errors", "3").strip()));
    }

    /** False when the type names no health-check test: its hosts are never checked. */
    public boolean enabled() {
        return !tests.isEmpty();
    }

    /** Why the interval makes a check due now (a host never checked is due at once), or empty. */
    public Optional<String> dueByInterval(Instant lastCheck, Instant now) {
        if (!enabled() || interval.isZero()) {
            return Optional.empty();
        }
        if (lastCheck == null) {
            return Optional.of("the host has never been checked (health_interval " + Durations.text(interval) + ")");
        }
        return Duration.between(lastCheck, now).compareTo(interval) >= 0
                ? Optional.of("health_interval " + Durations.text(interval) + " has passed since the last check")
                : Optional.empty();
    }

    /** Whether a request ending in {@code outcome} extends a host's run of failed requests (else it ends it). */
    public static boolean countsAsError(RequestState outcome) {
        return outcome == RequestState.ERROR || outcome == RequestState.ABORTED;
    }

    /** Why {@code errorsInRow} failed requests in a row (the last {@code lastId}) make a check due, or empty. */
    public Optional<String> dueByErrors(int errorsInRow, String lastId) {
        return enabled() && errorsInRow >= afterErrors
                ? Optional.of(errorsInRow + " requests in a row ended Error or Aborted (the last " + lastId
                + "; health_after_errors " + afterErrors + ")")
                : Optional.empty();
    }

    /**
     * Why a health check that ended in {@code outcome} failed: its id and its first failing test
     * with that test's outcome, or the request's own reason when no test failed (an abort, an agent
     * error). Empty when it passed.
     *
     * @param testOutcomes each test's name and outcome, in the order they ran
     */
    public static Optional<String> failure(String checkId, RequestState outcome, List<Map.Entry<String, String>> testOutcomes,
                                           String requestReason) {
        if (outcome == RequestState.PASSED) {
            return Optional.empty();
        }
        Optional<Map.Entry<String, String>> failing = testOutcomes.stream().filter(t -> !t.getValue().equals("pass")).findFirst();
        return Optional.of("health check " + checkId + " ended " + outcome.label() + failing
                .map(t -> ": test " + t.getKey() + " " + t.getValue())
                .orElse(requestReason == null ? "" : ": " + requestReason));
    }
}
