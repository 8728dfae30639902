package labdrop.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a Java-properties configuration file against a declared list of settings. Unknown keys,
 * duplicate keys and malformed values stop start-up with the file, the line and the key; an
 * environment variable {@code LABDROP_…} overrides the file; keys starting with {@code camel.}
 * pass through untouched to Camel Main.
 */
public final class ConfigLoader {
    private static final String CAMEL_PREFIX = "camel.";

    private ConfigLoader() {
    }

    public static LoadedConfig load(Path file, List<Setting<?>> settings, Map<String, String> env) {
        Map<String, Setting<?>> declared = new LinkedHashMap<>();
        settings.forEach(s -> declared.put(s.key(), s));
        Map<String, Entry> entries = file == null ? Map.of() : readEntries(file);

        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, String> camel = new LinkedHashMap<>();
        for (Entry entry : entries.values()) {
            if (entry.key.startsWith(CAMEL_PREFIX)) {
                camel.put(entry.key, entry.value);
            } else if (!declared.containsKey(entry.key)) {
                throw new ConfigException(file + ":" + entry.line + ": unknown key '" + entry.key
                        + "'. Known keys are listed, with their defaults, in the example file conf/"
                        + file.getFileName() + "; remove the line or fix the spelling.");
            }
        }
        for (Setting<?> setting : settings) {
            String fromEnv = env.get(setting.environmentName());
            Entry entry = entries.get(setting.key());
            String text;
            String where;
            if (fromEnv != null) {
                text = fromEnv;
                where = "environment variable " + setting.environmentName();
            } else if (entry != null) {
                text = entry.value;
                where = file + ":" + entry.line;
            } else {
                text = setting.defaultText();
                where = "default";
            }
            values.put(setting.key(), parse(setting, text, where));
            sources.put(setting.key(), where);
        }
        return new LoadedConfig(values, sources, camel);
    }

    private static Object parse(Setting<?> setting, String text, String where) {
        try {
            return setting.parser().apply(text);
        } catch (RuntimeException e) {
            throw new ConfigException(where + ": key '" + setting.key() + "' has the value '" + text
                    + "', which is not " + setting.describe() + ". " + setting.doc());
        }
    }

    private static Map<String, Entry> readEntries(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage()
                    + ". Pass an existing file with --conf, or none for the defaults.");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        int i = 0;
        while (i < lines.size()) {
            int first = i + 1;
            StringBuilder logical = new StringBuilder(lines.get(i));
            while (endsWithContinuation(lines.get(i)) && i + 1 < lines.size()) {
                i++;
                logical.append('\n').append(lines.get(i));
            }
            i++;
            String trimmed = logical.toString().strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(file + ":" + first + ": malformed line (" + e.getMessage()
                        + "); write key = value");
            }
            for (String key : one.stringPropertyNames()) {
                if (entries.containsKey(key)) {
                    throw new ConfigException(file + ":" + first + ": key '" + key
                            + "' is set twice (first on line " + entries.get(key).line + "); keep one");
                }
                if (one.getProperty(key).isEmpty() && !trimmed.contains("=") && !trimmed.contains(":")) {
                    throw new ConfigException(file + ":" + first + ": key '" + key
                            + "' has no '=' and no value; write key = value");
                }
                entries.put(key, new Entry(key, one.getProperty(key).strip(), first));
            }
        }
        return entries;
    }

    private static boolean endsWithContinuation(String line) {
        int backslashes = 0;
        for (int j = line.length() - 1; j >= 0 && line.charAt(j) == '\\'; j--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private record Entry(String key, String value, int line) {
    }
}
