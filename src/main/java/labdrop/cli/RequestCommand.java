package labdrop.cli;

import java.util.List;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;
import labdrop.server.Services;
import labdrop.store.RequestRows;
import labdrop.store.ResultRows;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "request", mixinStandardHelpOptions = true,
        description = "File, list, show and cancel test requests. Opens the store named by server.conf.",
        subcommands = {RequestCommand.File.class, RequestCommand.ListRequests.class, RequestCommand.Show.class,
                RequestCommand.Cancel.class})
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
        @Option(names = "--build-set", paramLabel = "CMD", description = "Build-set step before the tests.") String buildSet;
        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Timeout of the whole request.") Integer timeout;
        @Option(names = "--repo-url", paramLabel = "URL",
                description = "The request's own package repository (e.g. packages staged for one build); SUTs try it first.")
        String repository;
        @Option(names = "--as", required = true, paramLabel = "USER", description = "Who files the request.") String requester;

        @Override
        int run(Services services) {
            Request r = services.desk().file(new RequestSpec(host, requester, tests.stream().map(TestSpec::parse).toList(),
                    Priority.parse(priority), reboot, kernel, buildSet, timeout, repository));
            System.out.println(r.id() + " " + r.state().label() + (r.reason() == null ? "" : ": " + r.reason()));
            return r.state() == RequestState.REJECTED ? ExitCodes.CONFLICT : 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List requests, newest first.")
    static final class ListRequests extends HostCommand.HostAction {
        @Option(names = "--host") String host;
        @Option(names = "--state", description = "Queued, Placed, PickedUp, Running, Passed, Failed, Error, Aborted, Cancelled, Rejected.")
        String state;
        @Option(names = "--limit", defaultValue = "100") int limit;

        @Override
        int run(Services services) {
            List<Request> requests = services.desk().list(host, state == null ? null : RequestState.parse(state), limit);
            System.out.printf("%-10s %-20s %-10s %-8s %-10s %-24s %s%n", "ID", "HOST", "STATE", "PRIO", "BY", "FILED", "TESTS");
            for (Request r : requests) {
                System.out.printf("%-10s %-20s %-10s %-8s %-10s %-24s %s%n", r.id(), r.host(), r.state().label(),
                        r.priority().label(), r.requester(), r.filedAt(),
                        String.join(",", r.tests().stream().map(TestSpec::packageName).toList()));
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
    }
}
