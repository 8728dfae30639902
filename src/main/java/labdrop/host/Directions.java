package labdrop.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

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

    private Directions() {
    }

    /** The result of checking a directions file: its values, or every problem found (file, line, key). */
    public record Parsed(Map<String, String> values, List<String> problems) {
        public boolean isValid() {
            return problems.isEmpty();
        }
    }

    public static Parsed parse(String source, String text) {
        Map<String, Key> byName = new LinkedHashMap<>();
        KEYS.forEach(k -> byName.put(k.name(), k));
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
        StringBuilder out = new StringBuilder("# labdrop directions: key = value, overriding the agent's agent.conf.\n");
        for (Key key : KEYS) {
            out.append("\n# ").append(key.doc()).append("\n# ").append(key.rule()).append("\n")
                    .append(key.name()).append(" = ").append(key.defaultValue()).append("\n");
        }
        return out.toString();
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
