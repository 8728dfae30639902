package labdrop.agent;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import labdrop.drop.DropLayout;
import labdrop.host.Directions;

/**
 * The directions in force for one poll: agent.conf's values overridden by the host's
 * {@code config/directions}. An invalid directions file is never half-applied: agent.conf's values
 * are used and the problems go into the state message, where the admin sees them.
 */
record Effective(Map<String, String> values, String localAcceptFrom, String problem) {

    static Effective of(AgentConfig config, Path mirror) throws IOException {
        Map<String, String> values = new LinkedHashMap<>(config.directionDefaults());
        Path file = mirror.resolve(DropLayout.CONFIG).resolve("directions");
        if (!Files.isRegularFile(file)) {
            return new Effective(values, values.get("accept_from"), null);
        }
        Directions.Parsed parsed = Directions.parse("config/directions", Files.readString(file, StandardCharsets.UTF_8));
        if (!parsed.isValid()) {
            return new Effective(values, values.get("accept_from"), "config/directions is invalid and was not applied (agent.conf's values are in force): "
                    + String.join("; ", parsed.problems()));
        }
        String local = values.get("accept_from");
        values.putAll(parsed.values());
        return new Effective(values, local, null);
    }

    boolean flag(String key) {
        return Boolean.parseBoolean(values.get(key));
    }

    String get(String key) {
        return values.get(key);
    }

    double maxLoad() {
        return Double.parseDouble(values.get("max_load"));
    }

    /**
     * Empty when {@code requester} may have its requests run here; otherwise the reason. The SUT's
     * own accept_from (agent.conf) and the directions' must both accept: the drop may narrow what
     * the SUT owner allowed, never widen it.
     */
    Optional<String> refusal(String requester, String owner) {
        Optional<String> local = refusal(localAcceptFrom, requester, owner);
        return local.isPresent() ? local.map(r -> r + " (agent.conf)") : refusal(values.get("accept_from"), requester, owner)
                .map(r -> r + " (config/directions)");
    }

    private static Optional<String> refusal(String rule, String requester, String owner) {
        if (rule.equals("anyone")) {
            return Optional.empty();
        }
        if (rule.equals("owner")) {
            if (owner.isEmpty()) {
                return Optional.of("accept_from = owner, but this agent's agent.conf names no owner;"
                        + " set owner there, or accept_from to a list of names");
            }
            return requester.equals(owner) ? Optional.empty()
                    : Optional.of("accept_from = owner: this SUT runs only requests of its owner '" + owner
                    + "', not of '" + requester + "'");
        }
        List<String> names = Arrays.stream(rule.split(",")).map(String::strip).toList();
        return names.contains(requester) ? Optional.empty()
                : Optional.of("accept_from = " + rule + ": '" + requester + "' is not in the list");
    }

    List<URI> fetchLocations(AgentConfig config) {
        String own = values.get("fetch_location");
        if (own == null || own.isBlank()) {
            return config.fetchLocations();
        }
        return Arrays.stream(own.split(",")).map(String::strip).map(URI::create).toList();
    }
}
