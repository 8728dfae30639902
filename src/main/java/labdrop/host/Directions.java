package labdrop.host;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import labdrop.config.Durations;

/**
 * A host's {@code config/directions}: {@code key = value} lines that override the agent's local
 * agent.conf. Every key is declared here once with its rule and doc; docs/directions.md lists them.
 */
public final class Directions {

    /** One declared direction key. */
    public record Key(String name, String defaultValue, String rule, String doc, Predicate<String> valid) {
    }

    private static final Predicate<String> BOOL = v -> v.equals("true") || v.equals("false");

    public static final List<Key> KEYS = List.of(
            new Key("auto_retrieve", "true", "true or false",
                    "Run requests as they arrive; false only reports that work is waiting.", BOOL),
            new Key("accept_from", "anyone", "owner, anyone, or a comma-separated list of user names",
                    "Whose requests the agent runs (checked again on the SUT).",
                    v -> v.equals("owner") || v.equals("anyone")
                            || v.matches("[a-z0-9][a-z0-9._-]{0,62}(\\s*,\\s*[a-z0-9][a-z0-9._-]{0,62})*")),
            new Key("self_reboot", "true", "true or false",
                    "Whether the agent may reboot the SUT when a request asks for it.", BOOL),
            new Key("kernel_install", "none", "none, or the command that installs a kernel",
                    "Kernel-install step run before the tests when a request asks for it.", v -> !v.isEmpty()),
            new Key("build_set", "true", "true or false",
                    "Run a request's build-set step (its command, before the tests) and record the SUT's distribution"
                            + " and package list with every result.", BOOL),
            new Key("fetch_location", "", "comma-separated http://, https:// or file:// URLs",
                    "Package repositories, tried in order; empty means agent.conf's.",
                    v -> v.isEmpty() || v.matches("(https?|file)://\\S+(\\s*,\\s*(https?|file)://\\S+)*")),
            new Key("max_load", "0", "a number >= 0 (0 means no limit)",
                    "Skip the poll while the 1-minute load average is above this.",
                    v -> v.matches("\\d{1,4}(\\.\\d{1,3})?")));

    /** Most tests a health check may name. */
    public static final int MAX_HEALTH_TESTS = 20;
    private static final String TEST = "[a-z0-9][a-z0-9._-]{0,62}(:[^,]{0,200})?";

    /**
     * Keys only a host type's file may set: the server reads them (health checks), they are not
     * copied into a host's directions, and an agent never sees them.
     */
    public static final List<Key> TYPE_KEYS = List.of(
            new Key("health_check", "", "empty, or up to " + MAX_HEALTH_TESTS
                    + " comma-separated tests NAME[:ARGS] (arguments without commas)",
                    "Host types only. The health check of the type's hosts: these tests run as a request of the"
                            + " system user 'lab' before any other work when a host leaves Maint, every health_interval"
                            + " and after health_after_errors requests in a row end Error or Aborted. A failed check puts"
                            + " the host in Maint with the reason. Empty: no health check.",
                    v -> v.isEmpty() || v.matches(TEST + "(\\s*,\\s*" + TEST + "){0," + (MAX_HEALTH_TESTS - 1) + "}")),
            new Key("health_interval", "0", "0 (none), or a duration from 1m to 365d such as 12h",
                    "Host types only. Run the health check again when this long has passed since a host's last"
                            + " check (while the host is in service).",
                    v -> v.equals("0") || durationWithin(v, Duration.ofMinutes(1), Duration.ofDays(365))),
            new Key("health_after_errors", "3", "a whole number from 1 to 100",
                    "Host types only. Run the health check after this many of a host's requests in a row end"
                            + " Error or Aborted.",
                    v -> v.matches("[1-9][0-9]?|100")),
            new Key("confirm_failures", "false", "true or false",
                    "Host types only. When a request on a host of this type finds new failures (cases that passed in"
                            + " the previous run of their test), file at once, at the same priority, a request for just"
                            + " the failing tests on another healthy host of the type: the failures read confirmed when"
                            + " they fail there too, host-specific when they pass (and the first host is health-checked)."
                            + " A request may ask for it itself (--confirm).",
                    v -> v.equals("true") || v.equals("false")));

    private static final String TYPE_SECTION = "\n# The type's health check (read by the server; not copied to hosts).\n";

    private Directions() {
    }

    private static boolean durationWithin(String text, Duration min, Duration max) {
        try {
            Duration d = Durations.parse(text);
            return d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The result of checking a directions file: its values, or every problem found (file, line, key). */
    public record Parsed(Map<String, String> values, List<String> problems) {
        public boolean isValid() {
            return problems.isEmpty();
        }
    }

    /** Checks a host's directions file: {@link #KEYS} only. */
    public static Parsed parse(String source, String text) {
        return parse(source, text, KEYS);
    }

    /** Checks a host type's file: {@link #KEYS} and {@link #TYPE_KEYS}. */
    public static Parsed parseType(String source, String text) {
        return parse(source, text, Stream.concat(KEYS.stream(), TYPE_KEYS.stream()).toList());
    }

    /**
     * A host type's file without its type-only part (the section {@link #typeDefaultsText} starts,
     * and any type-only key set elsewhere): the directions a new host of the type starts with.
     */
    public static String hostPart(String typeText) {
        int section = typeText.indexOf(TYPE_SECTION);
        String text = section < 0 ? typeText : typeText.substring(0, section);
        return Arrays.stream(text.split("\n", -1)).filter(line -> {
            int eq = line.indexOf('=');
            String key = eq < 0 || line.strip().startsWith("#") ? null : line.substring(0, eq).strip();
            return TYPE_KEYS.stream().noneMatch(k -> k.name().equals(key));
        }).collect(Collectors.joining("\n"));
    }

    private static Parsed parse(String source, String text, List<Key> keys) {
        Map<String, Key> byName = new LinkedHashMap<>();
        keys.forEach(k -> byName.put(k.name(), k));
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            String where = source + ":" + (i + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                problems.add(where + ": '" + abbreviate(line) + "' is not key = value");
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Key declared = byName.get(key);
            if (declared == null) {
                problems.add(where + ": unknown key '" + abbreviate(key) + "'; known keys: " + String.join(", ", byName.keySet()));
            } else if (values.containsKey(key)) {
                problems.add(where + ": key '" + key + "' is set twice; keep one");
            } else if (!declared.valid().test(value)) {
                problems.add(where + ": key '" + key + "' has the value '" + abbreviate(value) + "', which is not "
                        + declared.rule());
            } else {
                values.put(key, value);
            }
        }
        return new Parsed(values, List.copyOf(problems));
    }

    /** The text of a directions file that sets every key to its default, each with its doc. */
    public static String defaultsText() {
        return text("# labdrop directions: key = value, overriding the agent's agent.conf.\n", KEYS);
    }

    /** The text of a new host type's file: the directions' defaults, then the type-only keys'. */
    public static String typeDefaultsText() {
        return defaultsText() + text(TYPE_SECTION, TYPE_KEYS);
    }

    private static String text(String header, List<Key> keys) {
        StringBuilder out = new StringBuilder(header);
        for (Key key : keys) {
            out.append("\n# ").append(key.doc()).append("\n# ").append(key.rule()).append("\n")
                    .append(key.name()).append(" = ").append(key.defaultValue()).append("\n");
        }
        return out.toString();
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
