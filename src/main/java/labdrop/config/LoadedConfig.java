package labdrop.config;

import java.util.Map;

/**
 * Values checked against their declarations, where each came from ({@code server.conf:57}, an
 * environment variable, or the default), plus the {@code camel.*} keys for Camel Main.
 */
public record LoadedConfig(Map<String, Object> values, Map<String, String> sources, Map<String, String> camelProperties) {

    public <T> T get(Setting<T> setting) {
        @SuppressWarnings("unchecked")
        T value = (T) values.get(setting.key());
        return value;
    }
}
