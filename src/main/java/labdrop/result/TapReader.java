package labdrop.result;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the cases of a TAP stream, versions 13 and 14: test points ({@code ok}/{@code not ok},
 * number, description, {@code # SKIP} and {@code # TODO} directives), YAML diagnostics (their
 * {@code message} becomes the case's), {@code Bail out!}, the plan, and subtests (indented four
 * spaces, announced or not by {@code # Subtest:}), whose cases are named under their parent's
 * path. Lines that are not TAP are ignored as the specification says, so a test's stdout with TAP
 * among other output reads too. Nesting is bounded and so is what is kept.
 */
public final class TapReader {
    private static final Pattern VERSION = Pattern.compile("TAP version (\\d+)");
    private static final Pattern PLAN = Pattern.compile("1\\.\\.(\\d{1,9})(?:\\s*#.*)?");
    private static final Pattern POINT = Pattern.compile(
            "(not )?ok\\b(?:\\s+(\\d{1,9}))?\\s*(?:-\\s*)?(.*?)(?:\\s+#\\s*(?i:(skip|todo))\\S*\\s*(.*))?");
    private static final Pattern BAIL = Pattern.compile("Bail out!\\s*(.*)");

    /** What one stream told: whether it is TAP at all (a version line or a plan at the left margin). */
    public record Outcome(boolean isTap, int cases) {
    }

    private final String source;
    private final String baseSuite;
    private final CaseReport report;
    /** Cases waiting for their parent test point, by the indentation they were read at. */
    private final TreeMap<Integer, List<TestCase>> pending = new TreeMap<>();
    private int held;
    private TestCase point;
    private int pointIndent;
    private List<String> yaml;
    private int yamlIndent;
    private boolean tap;
    private long planned = -1;
    private int topLevel;
    private boolean bailed;

    private TapReader(String source, String baseSuite, CaseReport report) {
        this.source = source;
        this.baseSuite = baseSuite;
        this.report = report;
    }

    /**
     * Reads {@code in} to its end (or a bail-out); the cases go to {@code report} only when the
     * stream is TAP, or when {@code mustBeTap} (a {@code .tap} file), which then reports what is missing.
     */
    public static Outcome read(BufferedReader in, String source, String baseSuite, CaseReport report, boolean mustBeTap)
            throws IOException {
        CaseReport scratch = new CaseReport(CaseLimits.MAX_CASES_PER_TEST);
        TapReader reader = new TapReader(source, baseSuite, scratch);
        String line;
        int lineNumber = 0;
        while (!reader.bailed && (line = in.readLine()) != null) {
            lineNumber++;
            if (!reader.line(line, lineNumber)) {
                break;
            }
        }
        reader.end();
        if (!reader.tap && !mustBeTap) {
            return new Outcome(false, 0);
        }
        if (!reader.tap) {
            report.problem(source + ": no TAP found (no 'TAP version' line, plan or test point at the left margin)");
        }
        scratch.cases().forEach(report::add);
        report.drop(scratch.dropped());
        scratch.problems().stream().filter(p -> !p.contains("more cases were left out")).forEach(report::problem);
        return new Outcome(reader.tap, scratch.cases().size());
    }

    /** Handles one line; false to stop reading. */
    private boolean line(String raw, int number) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        int indent = 0;
        while (indent < line.length() && line.charAt(indent) == ' ') {
            indent++;
        }
        String text = line.substring(indent);
        if (yaml != null) {
            if (indent >= yamlIndent && text.equals("...")) {
                commitPoint(yamlMessage(yaml));
                yaml = null;
                return true;
            }
            if (indent >= yamlIndent || text.isEmpty()) {
                if (yaml.size() < 200) {
                    yaml.add(line.length() > yamlIndent ? line.substring(Math.min(yamlIndent, indent)) : "");
                }
                return true;
            }
            commitPoint(null);
            yaml = null;
        }
        if (point != null && text.equals("---") && indent > pointIndent) {
            yaml = new ArrayList<>();
            yamlIndent = indent;
            return true;
        }
        if (indent / 4 > CaseLimits.MAX_DEPTH) {
            report.problem(source + " line " + number + ": subtests nest deeper than " + CaseLimits.MAX_DEPTH
                    + " levels; the rest is not read");
            return false;
        }
        Matcher m;
        if (indent == 0 && (m = VERSION.matcher(text)).matches()) {
            tap = true;
            String version = m.group(1);
            if (!version.equals("13") && !version.equals("14")) {
                report.problem(source + ": says TAP version " + version + "; read as TAP 14");
            }
        } else if ((m = PLAN.matcher(text)).matches()) {
            commitPoint(null);
            if (indent == 0) {
                tap = true;
                planned = Long.parseLong(m.group(1));
            }
        } else if ((m = BAIL.matcher(text)).matches()) {
            commitPoint(null);
            tap |= indent == 0;
            hold(indent, new TestCase("", "Bail out!", CaseOutcome.ERROR, null,
                    m.group(1).isBlank() ? "the test bailed out" : m.group(1)));
            bailed = true;
        } else if ((m = POINT.matcher(text)).matches()) {
            commitPoint(null);
            tap |= indent == 0;
            boolean ok = m.group(1) == null;
            String directive = m.group(4) == null ? null : m.group(4).toLowerCase(Locale.ROOT);
            CaseOutcome outcome;
            String message = null;
            if ("skip".equals(directive)) {
                outcome = CaseOutcome.SKIP;
                message = m.group(5);
            } else if ("todo".equals(directive)) {
                outcome = ok ? CaseOutcome.PASS : CaseOutcome.SKIP;
                message = "TODO" + (m.group(5).isBlank() ? "" : ": " + m.group(5));
            } else {
                outcome = ok ? CaseOutcome.PASS : CaseOutcome.FAIL;
            }
            String name = m.group(3).isBlank() ? "#" + (m.group(2) != null ? m.group(2) : number) : m.group(3);
            point = new TestCase("", name, outcome, null, message);
            pointIndent = indent;
            if (indent == 0) {
                topLevel++;
            }
        }
        return true;
    }

    /** Files the test point read last, with its YAML message when it had one, under its subtests if any. */
    private void commitPoint(String yamlMessage) {
        if (point == null) {
            return;
        }
        TestCase p = yamlMessage == null ? point
                : new TestCase(point.suite(), point.name(), point.outcome(), point.durationMillis(),
                point.message() == null ? yamlMessage : point.message() + "; " + yamlMessage);
        point = null;
        List<TestCase> children = new ArrayList<>();
        pending.tailMap(pointIndent, false).values().forEach(children::addAll);
        pending.tailMap(pointIndent, false).clear();
        if (children.isEmpty()) {
            hold(pointIndent, p);
            return;
        }
        held -= children.size();
        for (TestCase child : children) {
            String suite = child.suite().isEmpty() ? p.name() : p.name() + " / " + child.suite();
            hold(pointIndent, new TestCase(suite, child.name(), child.outcome(), child.durationMillis(), child.message()));
        }
        if (p.outcome().failed() && children.stream().noneMatch(c -> c.outcome().failed())) {
            hold(pointIndent, p);
        }
    }

    private void hold(int indent, TestCase c) {
        if (held >= CaseLimits.MAX_CASES_PER_TEST) {
            report.drop(1);
            return;
        }
        held++;
        pending.computeIfAbsent(indent, k -> new ArrayList<>()).add(c);
    }

    private void end() {
        commitPoint(yaml == null ? null : yamlMessage(yaml));
        if (!pending.isEmpty() && pending.firstKey() > 0) {
            report.problem(source + ": subtest lines at the end have no parent test point; read as top-level cases");
        }
        pending.values().forEach(list -> list.forEach(c -> report.add(
                new TestCase(c.suite().isEmpty() ? baseSuite : baseSuite + " / " + c.suite(), c.name(), c.outcome(),
                        c.durationMillis(), c.message()))));
        if (tap && !bailed && planned >= 0 && planned != topLevel) {
            report.add(new TestCase(baseSuite, "plan", CaseOutcome.ERROR, null,
                    "planned " + planned + " tests but " + topLevel + " reported"));
        }
    }

    /** The YAML block's {@code message:} value, else the block itself, as one line per entry. */
    private static String yamlMessage(List<String> lines) {
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("message:")) {
                String value = t.substring("message:".length()).strip();
                if (value.length() >= 2 && (value.startsWith("'") || value.startsWith("\""))) {
                    value = value.substring(1, value.length() - 1);
                }
                if (!value.isEmpty() && !value.equals("|") && !value.equals(">")) {
                    return value;
                }
            }
        }
        return String.join("\n", lines).strip();
    }
}
