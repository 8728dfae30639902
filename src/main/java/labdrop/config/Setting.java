package labdrop.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One declared configuration key: its name, its default (as written in the file), one line of
 * doc, and how its text becomes a value. {@code describe} says what a valid value looks like.
 */
public record Setting<T>(String key, String defaultText, String doc, String describe, Function<String, T> parser) {

    public static Setting<String> text(String key, String defaultText, String doc) {
        return new Setting<>(key, defaultText, doc, "text", s -> s);
    }

    /** One of {@code choices}, as written (lower case). */
    public static Setting<String> choice(String key, String defaultText, String doc, String... choices) {
        List<String> allowed = List.of(choices);
        return new Setting<>(key, defaultText, doc, "one of " + String.join(", ", allowed), s -> {
            if (!allowed.contains(s.strip())) {
                throw new IllegalArgumentException("not one of " + allowed);
            }
            return s.strip();
        });
    }

    public static Setting<Integer> integer(String key, int min, int max, int defaultValue, String doc) {
        return new Setting<>(key, Integer.toString(defaultValue), doc,
                "a whole number from " + min + " to " + max, s -> {
                    int value = Integer.parseInt(s.trim());
                    if (value < min || value > max) {
                        throw new IllegalArgumentException("out of range");
                    }
                    return value;
                });
    }

    public static Setting<Long> bytes(String key, long defaultValue, String doc) {
        return new Setting<>(key, Long.toString(defaultValue), doc, "a positive number of bytes", s -> {
            long value = Long.parseLong(s.trim());
            if (value <= 0) {
                throw new IllegalArgumentException("not positive");
            }
            return value;
        });
    }

    public static Setting<Boolean> bool(String key, boolean defaultValue, String doc) {
        return new Setting<>(key, Boolean.toString(defaultValue), doc, "true or false", s -> switch (s.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        });
    }

    public static Setting<Duration> duration(String key, String defaultText, String doc) {
        return new Setting<>(key, defaultText, doc, "a duration such as 500ms, 30s, 15m, 2h or 1d",
                Durations::parse);
    }

    /** The environment variable that overrides this key: {@code db.url} → {@code LABDROP_DB_URL}. */
    public String environmentName() {
        return "LABDROP_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
