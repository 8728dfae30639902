package labdrop.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import labdrop.error.LabdropException;
import labdrop.ops.LabStats;

/**
 * The pictures, drawn on the server as SVG from a Pebble template (no script, no canvas):
 * {@code /charts/outcomes.svg} (finished requests per day, stacked by outcome) and
 * {@code /charts/queue.svg} (queue length over the window), lab-wide or with {@code ?host=NAME},
 * over {@code ?days=N} (30 by default). The numbers are the API's /stats.
 */
final class Charts {
    static final int WIDTH = 640;
    static final int HEIGHT = 200;
    static final int LEFT = 40;
    static final int RIGHT = 10;
    static final int TOP = 24;
    static final int BOTTOM = 24;
    static final Map<String, String> COLOURS = Map.of("Passed", "#2a7d2a", "Failed", "#c0392b", "Error", "#e67e22",
            "Aborted", "#7f8c8d");
    private final WebServices services;
    private final Pages pages;

    Charts(WebServices services, Pages pages) {
        this.services = services;
        this.pages = pages;
    }

    /** {@code /charts/<name>.svg?host=&days=}. */
    void serve(Exchange x) {
        String name = x.param("chart");
        String host = x.query("host");
        String daysText = x.query("days");
        LabStats.Series series;
        try {
            int days = daysText == null ? 30 : Integer.parseInt(daysText);
            series = services.stats().of(host == null || host.isBlank() ? null : host, days);
        } catch (NumberFormatException | LabdropException e) {
            x.html(400, "<!DOCTYPE html><title>Bad chart</title><p>Ask for ?host=NAME and ?days=1..366.</p>");
            return;
        }
        String svg = switch (name) {
            case "outcomes.svg" -> pages.render("chart-outcomes.peb", outcomes(series));
            case "queue.svg" -> pages.render("chart-queue.peb", queue(series));
            default -> null;
        };
        if (svg == null) {
            x.html(404, "<!DOCTYPE html><title>Not found</title><p>No such chart.</p>");
            return;
        }
        x.bytes(200, "image/svg+xml; charset=utf-8", svg.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> frame(LabStats.Series s, String what, int max) {
        Map<String, Object> values = new HashMap<>();
        values.put("width", WIDTH);
        values.put("height", HEIGHT);
        values.put("left", LEFT);
        values.put("right", WIDTH - RIGHT);
        values.put("top", TOP);
        values.put("bottom", HEIGHT - BOTTOM);
        values.put("title", what + (s.host() == null ? " — whole lab" : " — " + s.host()) + ", last " + s.days() + " days");
        values.put("max", max);
        values.put("mid", TOP + (HEIGHT - TOP - BOTTOM) / 2);
        return values;
    }

    static Map<String, Object> outcomes(LabStats.Series s) {
        int max = 1;
        for (LabStats.Day d : s.outcomes()) {
            max = Math.max(max, d.outcomes().values().stream().mapToInt(Integer::intValue).sum());
        }
        Map<String, Object> values = frame(s, "Outcomes per day", max);
        double slot = (double) (WIDTH - LEFT - RIGHT) / s.outcomes().size();
        double plot = HEIGHT - TOP - BOTTOM;
        List<Map<String, Object>> bars = new ArrayList<>();
        List<Map<String, Object>> labels = new ArrayList<>();
        for (int i = 0; i < s.outcomes().size(); i++) {
            LabStats.Day d = s.outcomes().get(i);
            double y = HEIGHT - BOTTOM;
            for (Map.Entry<String, Integer> e : d.outcomes().entrySet()) {
                if (e.getValue() == 0) {
                    continue;
                }
                double h = plot * e.getValue() / max;
                y -= h;
                bars.add(Map.of("x", fmt(LEFT + i * slot + slot * 0.1), "y", fmt(y), "w", fmt(slot * 0.8), "h", fmt(h),
                        "colour", COLOURS.get(e.getKey()), "tip", d.day() + ": " + e.getValue() + " " + e.getKey()));
            }
            if (i == 0 || i == s.outcomes().size() - 1 || i == s.outcomes().size() / 2) {
                labels.add(Map.of("x", fmt(LEFT + i * slot + slot / 2), "text", d.day().toString().substring(5)));
            }
        }
        values.put("bars", bars);
        values.put("labels", labels);
        List<Map<String, Object>> legend = new ArrayList<>();
        int x = WIDTH - RIGHT - 4 * 75;
        for (LabStats.Day sample : s.outcomes().subList(0, 1)) {
            for (String outcome : sample.outcomes().keySet()) {
                legend.add(Map.of("x", x, "colour", COLOURS.get(outcome), "text", outcome));
                x += 75;
            }
        }
        values.put("legend", legend);
        return values;
    }

    static Map<String, Object> queue(LabStats.Series s) {
        int max = Math.max(1, s.queue().stream().mapToInt(LabStats.Sample::queued).max().orElse(0));
        Map<String, Object> values = frame(s, "Queue length", max);
        double step = (double) (WIDTH - LEFT - RIGHT) / s.queue().size();
        double plot = HEIGHT - TOP - BOTTOM;
        StringBuilder points = new StringBuilder();
        double previousY = HEIGHT - BOTTOM;
        points.append(LEFT).append(',').append(fmt(previousY));
        for (int i = 0; i < s.queue().size(); i++) {
            double y = HEIGHT - BOTTOM - plot * s.queue().get(i).queued() / max;
            double x = LEFT + (i + 1) * step;
            points.append(' ').append(fmt(x - step)).append(',').append(fmt(y)).append(' ').append(fmt(x)).append(',').append(fmt(y));
        }
        values.put("points", points.toString());
        values.put("now", s.queue().isEmpty() ? 0 : s.queue().get(s.queue().size() - 1).queued());
        values.put("labels", List.of(Map.of("x", LEFT, "text", s.outcomes().get(0).day().toString().substring(5)),
                Map.of("x", WIDTH - RIGHT - 30, "text", "now")));
        return values;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
