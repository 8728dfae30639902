package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import labdrop.app.Services;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.host.HostState;
import labdrop.ops.HardReset;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Add and administer hosts (SUTs). Opens the store named by server.conf.")
final class HostCommand {

    /** A command that works on the store only (on the server host); with --server it says so. */
    abstract static class HostAction implements Callable<Integer> {
        @Mixin
        ConfOption conf;
        @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:LABDROP_SERVER}",
                description = "Refused: this command works on the store only, on the server host.")
        String server;
        @Option(names = "--token-file", paramLabel = "FILE", description = "Refused with this command (see --server).")
        Path tokenFile;

        @Override
        public Integer call() throws Exception {
            if (server != null && !server.isBlank()) {
                throw new BadInputException("this command works on the store only, not with --server;"
                        + " run it on the server host without --server");
            }
            try (Services services = conf.open()) {
                return run(services);
            }
        }

        abstract int run(Services services) throws Exception;
    }

    static final String LIST_FORMAT = "%-24s %-10s %-12s %-10s %-5s %s%n";
    /** Hosts asked for in one call of the host list (the API's largest page). */
    static final int PAGE = 1000;

    @Command(name = "agent-release", mixinStandardHelpOptions = true,
            description = {"Announce an agent release to hosts: PACKAGE (client-labdrop-agent-VERSION in a repository) is "
                    + "pinned (SHA-256, size) into each host's config/agent-release; agents older than VERSION update "
                    + "themselves between requests and restart (docs/agent.md)."})
    static final class AgentReleaseCommand extends HostAction {
        @Parameters(paramLabel = "PACKAGE", description = "The release package's name, e.g. labdrop-agent-0.2.0.")
        String name;
        @Option(names = "--host", paramLabel = "HOST", description = "Only these hosts (repeat); default: every host not retired.")
        List<String> hosts = List.of();
        @Option(names = "--as", paramLabel = "USER", defaultValue = "${sys:user.name}") String author;

        @Override
        int run(Services services) {
            var release = services.hosts().announceAgentRelease(name, hosts, author);
            System.out.println("announced agent " + release.version() + " (" + release.file() + ", sha256 "
                    + release.sha256() + ") to " + (hosts.isEmpty() ? "every host" : String.join(", ", hosts)));
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a host. It starts in Maint unless --active (as LAVA's add-device does); "
                    + "its config/directions are copied from its type's file in host-types/."})
    static final class Add extends LabAction {
        @Parameters(paramLabel = "NAME", description = "Host name: [a-z0-9][a-z0-9._-]{0,62}.")
        String name;
        @Option(names = "--type", defaultValue = "default", description = "Host type (a file in host-types/). Default: ${DEFAULT-VALUE}.")
        String type;
        @Option(names = "--owner", paramLabel = "USER", description = "The host's owner.")
        String owner;
        @Option(names = "--owner-only", description = "Only the owner may file requests for it.")
        boolean ownerOnly;
        @Option(names = "--active", description = "Start Available instead of Maint.")
        boolean active;
        @Option(names = "--labels", defaultValue = "", description = "Free-form comma-separated labels.")
        String labels;
        @Option(names = "--hard-reset-command", paramLabel = "CMD", description = "Command that power-cycles the host (run by 'host reset').")
        String hardReset;

        @Override
        int run(LabClient lab) throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("type", type);
            body.put("labels", labels(labels));
            body.put("owner", owner);
            body.put("ownerOnly", ownerOnly);
            body.put("active", active);
            body.put("hardResetCommand", hardReset);
            JsonNode host = lab.call("POST", "/hosts", body);
            System.out.println("added host " + text(host, "name") + " (" + text(host, "state") + ", type "
                    + text(host, "type") + ")");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List hosts with their state.")
    static final class ListHosts extends LabAction {
        @Mixin JsonOption json;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode hosts = every(lab);
            if (json.print(hosts)) {
                return 0;
            }
            System.out.printf(LIST_FORMAT, "HOST", "STATE", "TYPE", "OWNER", "SEQ", "LAST SEEN");
            for (JsonNode h : hosts) {
                JsonNode report = h.get("lastReport");
                System.out.printf(LIST_FORMAT, text(h, "name"), text(h, "state"), text(h, "type"),
                        h.get("owner").isNull() ? "-" : text(h, "owner") + (h.get("ownerOnly").asBoolean() ? "*" : ""),
                        report.get("seq").asLong() < 0 ? "-" : text(report, "seq"),
                        report.get("at").isNull() ? "never" : text(report, "at"));
            }
            return 0;
        }
    }

    /** Every host, read a page at a time ({@code GET /hosts?after=LAST&limit=1000}, docs/api.md). */
    static ArrayNode every(LabClient lab) throws IOException {
        ArrayNode all = JsonNodeFactory.instance.arrayNode();
        String after = null;
        while (true) {
            JsonNode page = lab.get("/hosts?limit=" + PAGE + (after == null ? "" : "&after=" + Remote.encode(after)));
            page.forEach(all::add);
            if (page.size() < PAGE) {
                return all;
            }
            after = page.get(page.size() - 1).get("name").asText();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one host: state, last report, config files, errors.")
    static final class Show extends LabAction {
        @Parameters(paramLabel = "NAME")
        String name;
        @Mixin JsonOption json;

        @Override
        int run(LabClient lab) throws Exception {
            String path = "/hosts/" + Remote.encode(name);
            JsonNode h = lab.get(path);
            if (json.print(h)) {
                return 0;
            }
            JsonNode report = h.get("lastReport");
            Output.field("host", text(h, "name"));
            Output.field("state", text(h, "state") + " since " + text(h, "stateSince"));
            Output.field("type", text(h, "type"));
            Output.field("owner", h.get("owner").isNull() ? "-" : text(h, "owner")
                    + (h.get("ownerOnly").asBoolean() ? " (owner-only)" : ""));
            Output.field("labels", String.join(",", strings(h.get("labels"))));
            Output.field("hard_reset_command", text(h, "hardResetCommand"));
            Output.field("reported", report.get("status").isNull() ? "nothing yet" : HostState.valueOf(text(report, "status"))
                    .label() + " (seq " + text(report, "seq") + ", received " + text(report, "at") + ")");
            Output.field("request", text(h, "currentRequest"));
            Output.field("step", text(h, "step"));
            Output.field("agent", text(report, "agentVersion"));
            Output.field("boot id", text(report, "bootId"));
            Output.field("message", text(h, "message"));
            Output.field("ingest error", text(h, "ingestError"));
            Output.field("queued", text(h, "queued"));
            JsonNode health = h.get("health");
            Output.field("health", text(health, "status") + (health.get("checkedAt").isNull() ? ""
                    : " (" + text(health, "checkedAt") + ": " + text(health, "reason") + ")"));
            for (JsonNode v : lab.get(path + "/config")) {
                String status = !v.get("valid").asBoolean() ? "INVALID: " + text(v, "problems")
                        : v.get("deleted").asBoolean() ? "deleted" : "valid";
                Output.field("config/" + text(v, "file"), status + " (" + text(v, "at") + " by " + text(v, "author") + ")");
            }
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Change a host's owner, owner-only flag, labels, type or hard reset command.")
    static final class Set extends LabAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Changes changes;

        static final class Changes {
            @Option(names = "--owner", paramLabel = "USER") String owner;
            @Option(names = "--owner-only", arity = "1", paramLabel = "true|false") Boolean ownerOnly;
            @Option(names = "--labels") String labels;
            @Option(names = "--type") String type;
            @Option(names = "--hard-reset-command", paramLabel = "CMD") String hardReset;
        }

        @Override
        int run(LabClient lab) throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            if (changes.owner != null) {
                body.put("owner", changes.owner);
            }
            if (changes.type != null) {
                body.put("type", changes.type);
            }
            if (changes.labels != null) {
                body.put("labels", labels(changes.labels));
            }
            if (changes.hardReset != null) {
                body.put("hardResetCommand", changes.hardReset.isEmpty() ? null : changes.hardReset);
            }
            if (changes.ownerOnly != null) {
                body.put("ownerOnly", changes.ownerOnly);
            }
            lab.call("PATCH", "/hosts/" + Remote.encode(name), body);
            System.out.println("updated host " + name);
            return 0;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Issue the host's doorbell token (the old one stops working within a second).",
                    "The agent reads it from doorbell.token-file to poll GET /api/v1/hosts/NAME/generation."})
    static final class Token extends HostAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--file", paramLabel = "FILE",
                description = "Write the token to FILE (mode 0600) instead of printing it.")
        Path file;

        @Override
        int run(Services services) throws Exception {
            Names.require("host", name);
            Output.token(services.doorbell().issueToken(name), file, "host " + name);
            return 0;
        }
    }

    @Command(name = "maint", mixinStandardHelpOptions = true, description = "Put a host in maintenance: new requests are held until it is activated.")
    static final class Maint extends LabAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode host = lab.call("POST", "/hosts/" + Remote.encode(name) + "/maint", null);
            System.out.println("host " + name + " is " + text(host, "state"));
            return 0;
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true, description = "Take a host out of maintenance; held requests are placed.")
    static final class Activate extends LabAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode host = lab.call("POST", "/hosts/" + Remote.encode(name) + "/activate", null);
            System.out.println("host " + name + " is " + text(host, "state"));
            return 0;
        }
    }

    @Command(name = "health", mixinStandardHelpOptions = true, description = {
            "Run the host's health check now (the tests its host type names in health_check).",
            "It runs before any other work as soon as the host is free and out of Maint; a failure puts the host in Maint."})
    static final class Health extends LabAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode check = lab.call("POST", "/hosts/" + Remote.encode(name) + "/health", null);
            System.out.println("health check " + text(check, "id") + " for host " + name + ": " + text(check, "state"));
            return 0;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true, description = "Retire a host: its unfinished requests are cancelled.")
    static final class Retire extends LabAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode host = lab.call("POST", "/hosts/" + Remote.encode(name) + "/retire", null);
            System.out.println("host " + name + " is " + text(host, "state"));
            return 0;
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true, description = "Run the host's hard_reset_command (power-cycle it).")
    static final class Reset extends HostAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(Services services) {
            HardReset.Outcome outcome = services.hardReset().reset(name);
            System.out.println("host " + name + ": hard reset " + outcome.summary());
            return outcome.exitCode() == 0 ? 0 : ExitCodes.INFRASTRUCTURE;
        }
    }

    /** A comma-separated list as the API takes it. */
    static List<String> labels(String text) {
        return text.isBlank() ? List.of() : List.of(text.strip().split("\\s*,\\s*"));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    static String text(JsonNode node, String field) {
        return Remote.text(node, field);
    }

    static String readFile(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
