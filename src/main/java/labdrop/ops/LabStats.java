package labdrop.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.lab.Lab;
import labdrop.queue.Queue;
import labdrop.request.RequestState;
import labdrop.store.RequestRows;

/**
 * The figures behind the charts, per host or lab-wide: finished requests per day by outcome,
 * and the queue length sampled over the same window. Days are UTC days.
 */
public final class LabStats {
    /** Outcomes counted per day; Cancelled and Rejected are not test outcomes and are left out. */
    public static final List<RequestState> OUTCOMES = List.of(RequestState.PASSED, RequestState.FAILED,
            RequestState.ERROR, RequestState.ABORTED);
    public static final int MAX_DAYS = 366;
    private final Lab lab;

    public LabStats(Lab lab) {
        this.lab = lab;
    }

    /** One day's finished requests by outcome label. */
    public record Day(LocalDate day, Map<String, Integer> outcomes) {
    }

    /** The number of queued requests at one moment. */
    public record Sample(Instant at, int queued) {
    }

    /** Both series over the last {@code days} days (today included), for {@code host} or, when null, the whole lab. */
    public record Series(String host, int days, List<Day> outcomes, List<Sample> queue) {
    }

    public Series of(String host, int days) {
        if (host != null) {
            Names.require("host name", host);
        }
        if (days < 1 || days > MAX_DAYS) {
            throw new BadInputException("days=" + days + " is outside 1.." + MAX_DAYS + "; ask for a window of at most a year");
        }
        Instant now = lab.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1L);
        Instant since = first.atStartOfDay(ZoneOffset.UTC).toInstant();
        List<RequestRows.Span> spans = lab.store().read(h -> RequestRows.spans(h, host, since));
        Map<LocalDate, Map<String, Integer>> perDay = new LinkedHashMap<>();
        for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
            Map<String, Integer> zero = new LinkedHashMap<>();
            OUTCOMES.forEach(s -> zero.put(s.label(), 0));
            perDay.put(d, zero);
        }
        for (RequestRows.Span s : spans) {
            if (s.finished() != null && OUTCOMES.contains(s.state()) && !s.finished().isBefore(since)) {
                perDay.get(LocalDate.ofInstant(s.finished(), ZoneOffset.UTC)).merge(s.state().label(), 1, Integer::sum);
            }
        }
        List<Day> outcomes = new ArrayList<>();
        perDay.forEach((d, m) -> outcomes.add(new Day(d, m)));
        // Queue length: sampled 24 times a day, at most 240 samples in all.
        int count = Math.min(240, days * 24);
        Duration step = Duration.between(since, now).dividedBy(count);
        List<Sample> queue = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Instant t = i == count ? now : since.plus(step.multipliedBy(i));
            int queued = 0;
            for (RequestRows.Span s : spans) {
                if (!s.filed().isAfter(t) && s.state() != RequestState.REJECTED
                        && (s.placed() == null || s.placed().isAfter(t)) && (s.finished() == null || s.finished().isAfter(t))) {
                    queued++;
                }
            }
            queue.add(new Sample(t, queued));
        }
        return new Series(host, days, outcomes, queue);
    }
}
