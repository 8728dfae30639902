package labdrop.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import labdrop.admin.HostDraft;
import labdrop.app.Services;
import labdrop.drop.AtomicFiles;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.host.Host;
import labdrop.host.HostState;
import labdrop.ops.HardReset;
import labdrop.store.ConfigRows;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Add and administer hosts (SUTs). Opens the store named by server.conf.",
        subcommands = {HostCommand.Add.class, HostCommand.ListHosts.class, HostCommand.Show.class,
                HostCommand.Set.class, HostCommand.Maint.class, HostCommand.Activate.class,
                HostCommand.Retire.class, HostCommand.Reset.class, HostCommand.Token.class, HostConfigCommand.class,
                KeyCommands.HostKey.class, KeyCommands.AuthorizedKeys.class, HostCommand.AgentReleaseCommand.class})
final class HostCommand {

    abstract static class HostAction implements Callable<Integer> {
        @Mixin
        ConfOption conf;
        @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:LABDROP_SERVER}",
                description = "Work against a remote server's API instead of opening the store (default: $LABDROP_SERVER).")
        String server;
        @Option(names = "--token-file", paramLabel = "FILE",
                description = "With --server: the file holding your API token (default: $LABDROP_TOKEN).")
        Path tokenFile;

        @Override
        public Integer call() throws Exception {
            if (server != null && !server.isBlank()) {
                return runRemote(new Remote(server, tokenFile));
            }
            try (Services services = conf.open()) {
                return run(services);
            }
        }

        abstract int run(Services services) throws Exception;

        /** The same command through the server's API; commands without one say so. */
        int runRemote(Remote remote) throws Exception {
            throw new BadInputException("this command works on the store only, not with --server;"
                    + " run it on the server host without --server");
        }
    }

    static final String LIST_FORMAT = "%-24s %-10s %-12s %-10s %-5s %s%n";

    @Command(name = "agent-release", mixinStandardHelpOptions = true,
            description = {"Announce an agent release to hosts: PACKAGE (client-labdrop-agent-VERSION in a repository) is",
                    "pinned (SHA-256, size) into each host's config/agent-release; agents older than VERSION update",
                    "themselves between requests and restart (docs/agent.md)."})
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
            description = {"Add a host. It starts in Maint unless --active (as LAVA's add-device does);",
                    "its config/directions are copied from its type's file in host-types/."})
    static final class Add extends HostAction {
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
        @Option(names = "--as", paramLabel = "USER", defaultValue = "${sys:user.name}", description = "Who is acting (recorded in the config history).")
        String author;

        @Override
        int run(Services services) {
            Host host = services.hosts().add(new HostDraft(name, type, labels, owner, ownerOnly, active, hardReset), author);
            System.out.println("added host " + host.name() + " (" + host.state().label() + ", type " + host.type() + ")");
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("type", type);
            body.put("labels", labels.isBlank() ? List.of() : List.of(labels.split("\\s*,\\s*")));
            body.put("owner", owner);
            body.put("ownerOnly", ownerOnly);
            body.put("active", active);
            body.put("hardResetCommand", hardReset);
            var host = remote.call("POST", "/hosts", body);
            System.out.println("added host " + host.get("name").asText() + " (" + host.get("state").asText() + ", type "
                    + host.get("type").asText() + ")");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List hosts with their state.")
    static final class ListHosts extends HostAction {
        @Override
        int run(Services services) {
            List<Host> hosts = services.hosts().list();
            System.out.printf(LIST_FORMAT, "HOST", "STATE", "TYPE", "OWNER", "SEQ", "LAST SEEN");
            for (Host h : hosts) {
                System.out.printf(LIST_FORMAT, h.name(), h.state().label(), h.type(),
                        h.owner() == null ? "-" : h.owner() + (h.ownerOnly() ? "*" : ""),
                        h.lastSeq() < 0 ? "-" : h.lastSeq(), h.lastSeen() == null ? "never" : h.lastSeen());
            }
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            System.out.printf(LIST_FORMAT, "HOST", "STATE", "TYPE", "OWNER", "SEQ", "LAST SEEN");
            for (var h : remote.get("/hosts")) {
                var report = h.get("lastReport");
                System.out.printf(LIST_FORMAT, h.get("name").asText(), h.get("state").asText(), h.get("type").asText(),
                        h.get("owner").isNull() ? "-" : h.get("owner").asText() + (h.get("ownerOnly").asBoolean() ? "*" : ""),
                        report.get("seq").asLong() < 0 ? "-" : report.get("seq").asText(),
                        report.get("at").isNull() ? "never" : report.get("at").asText());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one host: state, last report, config files, errors.")
    static final class Show extends HostAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(Services services) {
            Host h = services.hosts().show(name);
            Output.field("host", h.name());
            Output.field("state", h.state().label() + " since " + h.stateSince());
            Output.field("type", h.type());
            Output.field("owner", h.owner() == null ? "-" : h.owner() + (h.ownerOnly() ? " (owner-only)" : ""));
            Output.field("labels", h.labels());
            Output.field("hard_reset_command", h.hardResetCommand());
            Output.field("reported", h.reportedStatus() == null ? "nothing yet" : HostState.valueOf(h.reportedStatus()).label()
                    + " (seq " + h.lastSeq() + ", received " + h.lastSeen() + ")");
            Output.field("request", h.currentRequest());
            Output.field("step", h.step());
            Output.field("agent", h.agentVersion());
            Output.field("boot id", h.bootId());
            Output.field("message", h.message());
            Output.field("ingest error", h.ingestError());
            for (ConfigRows.Version v : services.hosts().configFiles(name)) {
                String status = !v.valid() ? "INVALID: " + v.problems() : v.content() == null ? "deleted" : "valid";
                Output.field("config/" + v.file(), status + " (" + v.at() + " by " + v.author() + ")");
            }
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            var h = remote.get("/hosts/" + Remote.encode(name));
            var report = h.get("lastReport");
            Output.field("host", Remote.text(h, "name"));
            Output.field("state", Remote.text(h, "state") + " since " + Remote.text(h, "stateSince"));
            Output.field("type", Remote.text(h, "type"));
            Output.field("owner", h.get("owner").isNull() ? "-" : Remote.text(h, "owner") + (h.get("ownerOnly").asBoolean() ? " (owner-only)" : ""));
            Output.field("labels", String.join(",", Remote.JSON.convertValue(h.get("labels"), String[].class)));
            Output.field("reported", report.get("status").isNull() ? "nothing yet" : Remote.text(report, "status")
                    + " (seq " + Remote.text(report, "seq") + ", received " + Remote.text(report, "at") + ")");
            Output.field("request", Remote.text(h, "currentRequest"));
            Output.field("step", Remote.text(h, "step"));
            Output.field("agent", Remote.text(report, "agentVersion"));
            Output.field("message", Remote.text(h, "message"));
            Output.field("ingest error", Remote.text(h, "ingestError"));
            Output.field("queued", Remote.text(h, "queued"));
            for (var v : remote.get("/hosts/" + Remote.encode(name) + "/config")) {
                String status = !v.get("valid").asBoolean() ? "INVALID: " + Remote.text(v, "problems") : "valid";
                Output.field("config/" + Remote.text(v, "file"), status + " (" + Remote.text(v, "at") + " by " + Remote.text(v, "author") + ")");
            }
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Change a host's owner, owner-only flag, labels, type or hard reset command.")
    static final class Set extends HostAction {
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
        int run(Services services) {
            if (changes.owner != null) {
                services.hosts().set(name, "owner", changes.owner);
            }
            if (changes.type != null) {
                services.hosts().set(name, "type", changes.type);
            }
            if (changes.labels != null) {
                services.hosts().set(name, "labels", changes.labels);
            }
            if (changes.hardReset != null) {
                services.hosts().set(name, "hard-reset-command", changes.hardReset.isEmpty() ? null : changes.hardReset);
            }
            if (changes.ownerOnly != null) {
                services.hosts().set(name, "owner-only", changes.ownerOnly);
            }
            System.out.println("updated host " + name);
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            if (changes.owner != null) {
                body.put("owner", changes.owner);
            }
            if (changes.type != null) {
                body.put("type", changes.type);
            }
            if (changes.labels != null) {
                body.put("labels", changes.labels.isBlank() ? List.of() : List.of(changes.labels.split("\\s*,\\s*")));
            }
            if (changes.hardReset != null) {
                body.put("hardResetCommand", changes.hardReset.isEmpty() ? null : changes.hardReset);
            }
            if (changes.ownerOnly != null) {
                body.put("ownerOnly", changes.ownerOnly);
            }
            remote.call("PATCH", "/hosts/" + Remote.encode(name), body);
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
            String token = services.doorbell().issueToken(name);
            if (file == null) {
                System.out.println(token);
                return 0;
            }
            Files.deleteIfExists(file);
            AtomicFiles.writeSecret(file, token + "\n");
            System.out.println("doorbell token of host " + name + " written to " + file + " (mode 0600)");
            return 0;
        }
    }

    @Command(name = "maint", mixinStandardHelpOptions = true, description = "Put a host in maintenance: new requests are held until it is activated.")
    static final class Maint extends HostAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(Services services) {
            System.out.println("host " + name + " is " + services.hosts().maint(name).state().label());
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            System.out.println("host " + name + " is " + remote.call("POST", "/hosts/" + Remote.encode(name) + "/maint", null)
                    .get("state").asText());
            return 0;
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true, description = "Take a host out of maintenance; held requests are placed.")
    static final class Activate extends HostAction {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(Services services) {
            System.out.println("host " + name + " is " + services.hosts().activate(name).state().label());
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            System.out.println("host " + name + " is " + remote.call("POST", "/hosts/" + Remote.encode(name) + "/activate", null)
                    .get("state").asText());
            return 0;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true, description = "Retire a host: its unfinished requests are cancelled.")
    static final class Retire extends HostAction {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--as", paramLabel = "USER", defaultValue = "${sys:user.name}")
        String by;

        @Override
        int run(Services services) {
            System.out.println("host " + name + " is " + services.hosts().retire(name, by).state().label());
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            System.out.println("host " + name + " is " + remote.call("POST", "/hosts/" + Remote.encode(name) + "/retire", null)
                    .get("state").asText());
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

    static String readFile(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
