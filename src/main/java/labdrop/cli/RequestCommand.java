package labdrop.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.app.Services;
import labdrop.error.BadInputException;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.store.RequestRows;
import labdrop.store.ResultRows;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "request", mixinStandardHelpOptions = true,
        description = "File, list, show and cancel test requests. Opens the store named by server.conf.",
        subcommands = {RequestCommand.File.class, RequestCommand.ListRequests.class, RequestCommand.Show.class,
                RequestCommand.Cancel.class, RequestCommand.Move.class})
final class RequestCommand {

    @Command(name = "file", mixinStandardHelpOptions = true,
            description = {"File a request. Placed at once when the host is Available; queued by priority and",
                    "filing time when it is busy; held while it is in Maint; rejected with the reason when",
                    "the host is owner-only and you are not its owner."})
    static final class File extends HostCommand.HostAction {
        @Option(names = "--host", required = true) String host;
        @Option(names = "--test", required = true, paramLabel = "NAME[:ARGS]",
                description = "A test to run, in order; repeat for more. ARGS are split on spaces: --test 'dbench:-t 60'.")
        List<String> tests;
        @Option(names = "--reboot", description = "Reboot the SUT before the run.") boolean reboot;
        @Option(names = "--priority", defaultValue = "normal", description = "low, normal, high or urgent (default ${DEFAULT-VALUE}).")
        String priority;
        @Option(names = "--kernel-install", paramLabel = "CMD", description = "Kernel-install step before the tests.") String kernel;
        @Option(names = "--build-set", paramLabel = "CMD", description = "Build-set step: a shell command the agent runs before the tests (logs/build-set.log); a failure ends the request as Error.") String buildSet;
        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Timeout of the whole request.") Integer timeout;
        @Option(names = "--repo-url", paramLabel = "URL",
                description = "The request's own package repository (e.g. packages staged for one build); SUTs try it first.")
        String repository;
        @Option(names = "--as", paramLabel = "USER",
                description = "Who files the request (required without --server; with --server it is the token's user).")
        String requester;

        @Override
        int run(Services services) {
            if (requester == null) {
                throw new BadInputException("--as USER is required when filing on the store; with --server the"
                        + " token's user files it");
            }
            Request r = services.desk().file(new RequestSpec(host, requester, tests.stream().map(TestSpec::parse).toList(),
                    Priority.parse(priority), reboot, kernel, buildSet, timeout, repository));
            System.out.println(r.id() + " " + r.state().label() + (r.reason() == null ? "" : ": " + r.reason()));
            return r.state() == RequestState.REJECTED ? ExitCodes.CONFLICT : 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            if (requester != null) {
                throw new BadInputException("--as cannot be used with --server: the token's user files the request");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("host", host);
            body.put("tests", tests);
            body.put("priority", priority);
            body.put("selfReboot", reboot);
            body.put("kernelInstall", kernel);
            body.put("buildSet", buildSet);
            body.put("timeoutSeconds", timeout);
            body.put("repositoryUrl", repository);
            var r = remote.call("POST", "/requests", body);
            System.out.println(Remote.text(r, "id") + " " + Remote.text(r, "state")
                    + (r.get("reason").isNull() ? "" : ": " + Remote.text(r, "reason")));
            return "Rejected".equals(Remote.text(r, "state")) ? ExitCodes.CONFLICT : 0;
        }
    }

    static final String LIST_FORMAT = "%-10s %-20s %-10s %-8s %-10s %-24s %s%n";

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List requests, newest first.")
    static final class ListRequests extends HostCommand.HostAction {
        @Option(names = "--host") String host;
        @Option(names = "--state", description = "Queued, Placed, PickedUp, Running, Passed, Failed, Error, Aborted, Cancelled, Rejected.")
        String state;
        @Option(names = "--limit", defaultValue = "100") int limit;

        @Override
        int run(Services services) {
            List<Request> requests = services.desk().list(host, state == null ? null : RequestState.parse(state), limit);
            System.out.printf(LIST_FORMAT, "ID", "HOST", "STATE", "PRIO", "BY", "FILED", "TESTS");
            for (Request r : requests) {
                System.out.printf(LIST_FORMAT, r.id(), r.host(), r.state().label(),
                        r.priority().label(), r.requester(), r.filedAt(),
                        String.join(",", r.tests().stream().map(TestSpec::packageName).toList()));
            }
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            StringBuilder query = new StringBuilder("?limit=" + limit);
            if (host != null) {
                query.append("&host=").append(Remote.encode(host));
            }
            if (state != null) {
                query.append("&state=").append(Remote.encode(state));
            }
            System.out.printf(LIST_FORMAT, "ID", "HOST", "STATE", "PRIO", "BY", "FILED", "TESTS");
            for (var r : remote.get("/requests" + query)) {
                List<String> names = new ArrayList<>();
                r.get("tests").forEach(t -> names.add(t.get("package").asText()));
                System.out.printf(LIST_FORMAT, Remote.text(r, "id"), Remote.text(r, "host"), Remote.text(r, "state"),
                        Remote.text(r, "priority"), Remote.text(r, "requester"), Remote.text(r, "filed"), String.join(",", names));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a request: options, tests, timeline, results.")
    static final class Show extends HostCommand.HostAction {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(Services services) {
            Request r = services.desk().find(id);
            Output.field("request", r.id());
            Output.field("host", r.host());
            Output.field("state", r.state().label());
            Output.field("reason", r.reason());
            Output.field("requester", r.requester());
            Output.field("priority", r.priority().label());
            Output.field("filed", r.filedAt());
            Output.field("self reboot", r.selfReboot());
            Output.field("kernel install", r.kernelInstall());
            Output.field("build set", r.buildSet());
            Output.field("timeout", r.timeoutSeconds() == null ? null : r.timeoutSeconds() + "s");
            Output.field("repository", r.repositoryUrl());
            r.packages().forEach(p -> Output.field("package", p.file() + " " + p.size() + " bytes sha256 " + p.sha256()));
            int i = 1;
            for (TestSpec t : r.tests()) {
                Output.field("test " + i++, t.packageName() + (t.args().isEmpty() ? "" : " " + String.join(" ", t.args())));
            }
            for (RequestRows.Event e : services.desk().events(r)) {
                Output.field("  " + e.at(), e.state().label() + (e.note() == null ? "" : ": " + e.note()));
            }
            for (ResultRows.TestResult t : services.desk().results(r)) {
                Output.field("result " + t.index(), t.name() + " " + t.outcome()
                        + (t.exitCode() == null ? "" : " (exit " + t.exitCode() + ")"));
            }
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            var r = remote.get("/requests/" + Remote.encode(id));
            for (String field : List.of("id", "host", "state", "reason", "requester", "priority", "filed", "selfReboot",
                    "kernelInstall", "buildSet", "timeoutSeconds")) {
                Output.field(field.equals("id") ? "request" : field, Remote.text(r, field));
            }
            r.get("packages").forEach(p -> Output.field("package", Remote.text(p, "file") + " " + Remote.text(p, "size")
                    + " bytes sha256 " + Remote.text(p, "sha256")));
            int i = 1;
            for (var t : r.get("tests")) {
                List<String> args = new ArrayList<>();
                t.get("args").forEach(a -> args.add(a.asText()));
                Output.field("test " + i++, Remote.text(t, "package") + (args.isEmpty() ? "" : " " + String.join(" ", args)));
            }
            for (var e : r.get("timeline")) {
                Output.field("  " + Remote.text(e, "at"), Remote.text(e, "state") + (e.get("note").isNull() ? "" : ": " + Remote.text(e, "note")));
            }
            for (var t : r.get("results")) {
                Output.field("result " + Remote.text(t, "index"), Remote.text(t, "name") + " " + Remote.text(t, "outcome")
                        + (t.get("exitCode").isNull() ? "" : " (exit " + Remote.text(t, "exitCode") + ")"));
            }
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a request; a placed one's file is removed from the drop.")
    static final class Cancel extends HostCommand.HostAction {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--as", paramLabel = "USER", defaultValue = "${sys:user.name}") String by;

        @Override
        int run(Services services) {
            System.out.println(id + " " + services.desk().cancel(id, by).state().label());
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            System.out.println(id + " " + Remote.text(remote.call("POST", "/requests/" + Remote.encode(id) + "/cancel", null), "state"));
            return 0;
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = {"Move a queued request up, down or to the top of its host's queue. It takes the priority of the",
                    "request it passes. Through --server, only the host's owner and admins may."})
    static final class Move extends HostCommand.HostAction {
        @Parameters(paramLabel = "ID") String id;
        @Parameters(paramLabel = "DIRECTION", description = "up, down or top") String direction;
        @Option(names = "--as", paramLabel = "USER", defaultValue = "${sys:user.name}") String by;

        @Override
        int run(Services services) {
            Request moved = services.desk().move(id, direction, by);
            System.out.println(id + " " + moved.state().label() + " " + moved.priority().label());
            return 0;
        }

        @Override
        int runRemote(Remote remote) throws Exception {
            var moved = remote.call("POST", "/requests/" + Remote.encode(id) + "/move", Map.of("direction", direction));
            System.out.println(id + " " + Remote.text(moved, "state") + " " + Remote.text(moved, "priority"));
            return 0;
        }
    }
}
