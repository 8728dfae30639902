package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import labdrop.config.Durations;
import labdrop.error.BadInputException;
import labdrop.request.RequestState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "request", mixinStandardHelpOptions = true,
        description = "File, list, show and cancel test requests. Opens the store named by server.conf.")
final class RequestCommand {

    @Command(name = "file", mixinStandardHelpOptions = true,
            description = {"File a request. Placed at once when the host is Available; queued by priority and "
                    + "filing time when it is busy; held while it is in Maint; rejected with the reason when "
                    + "the host is owner-only and you are not its owner. With --type (and --label) instead of --host it "
                    + "waits in that pool and runs on the first matching host that is free. On the store, --as names who "
                    + "files it."})
    static final class File extends LabAction {
        @Option(names = "--host", paramLabel = "HOST", description = "The host to run on.") String host;
        @Option(names = "--type", paramLabel = "TYPE", description = "Instead of --host: any host of this type (a pool).")
        String type;
        @Option(names = "--label", paramLabel = "LABEL",
                description = "With --type: the host must have this label too (repeat for more).")
        List<String> labels = List.of();
        @Option(names = "--hosts", paramLabel = "N",
                description = "With --type: a job of N requests that run on N distinct hosts of the pool.")
        Integer hosts;
        @Option(names = "--all", description = "With --type: a job of one request for every active host of the pool.")
        boolean all;
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
        @Option(names = "--confirm", description = "Confirm new failures on a second host of the same type: the failing"
                + " tests run again there at once (docs/design.md); the host type may ask for it by default.")
        boolean confirm;
        @Option(names = "--wait", description = "Wait until it (or the job) finishes: print each test's outcome and failing"
                + " cases, and exit 0 passed, 10 failed, 11 error or aborted, 12 cancelled or rejected, 13 timed out.")
        boolean wait;
        @Option(names = "--wait-timeout", paramLabel = "DURATION",
                description = "With --wait: give up after this long (30s, 15m, 2h; exit 13). Default: wait as long as it takes."
                        + " (--timeout is the request's own timeout, which the SUT enforces.)")
        String waitTimeout;

        @Override
        int run(LabClient lab) throws Exception {
            if (lab.local() && as == null) {
                throw new BadInputException("--as USER is required when filing on the store; with --server the"
                        + " token's user files it");
            }
            if (!labels.isEmpty() && type == null) {
                throw new BadInputException("--label narrows a pool: give --type TYPE with it");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("host", host);
            if (type != null) {
                body.put("pool", Map.of("type", type, "labels", labels));
            }
            body.put("tests", tests);
            body.put("priority", priority);
            body.put("selfReboot", reboot);
            body.put("kernelInstall", kernel);
            body.put("buildSet", buildSet);
            body.put("timeoutSeconds", timeout);
            body.put("repositoryUrl", repository);
            body.put("confirmFailures", confirm);
            if (hosts != null || all) {
                if (type == null) {
                    throw new BadInputException("--hosts and --all file a job on a pool: give --type TYPE with them");
                }
                body.put("hosts", hosts);
                body.put("all", all);
                Duration deadline = waitDeadline();
                JsonNode job = lab.call("POST", "/jobs", body);
                int code = JobCommand.print(job);
                return wait ? waiter(lab, deadline).await(List.of(text(job, "id"))) : code;
            }
            Duration deadline = waitDeadline();
            JsonNode r = lab.call("POST", "/requests", body);
            System.out.println(text(r, "id") + " " + text(r, "state") + (r.get("reason").isNull() ? "" : ": " + text(r, "reason")));
            if (wait) {
                return waiter(lab, deadline).await(List.of(text(r, "id")));
            }
            return RequestState.REJECTED.label().equals(text(r, "state")) ? ExitCodes.CONFLICT : 0;
        }

        /** The --wait-timeout, checked before anything is filed. */
        private Duration waitDeadline() {
            if (waitTimeout != null && !wait) {
                throw new BadInputException("--wait-timeout is how long --wait waits: give --wait with it");
            }
            return Wait.duration("--wait-timeout", waitTimeout);
        }
    }

    static RequestWait waiter(LabClient lab, Duration timeout) {
        return new RequestWait(lab, timeout, Duration.ofSeconds(1), System.out, System.err);
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = {"Wait until requests (r-N) or jobs (j-N) finish, for CI: each state change on stderr, then per "
                    + "request its outcome and a line per test with its failing cases. Exit code: 0 all passed, "
                    + "10 failed, 11 error or aborted, 12 cancelled or rejected, 13 timed out; over several, the worst."})
    static final class Wait extends LabAction {
        @Parameters(paramLabel = "ID", arity = "1..*") List<String> ids;
        @Option(names = "--timeout", paramLabel = "DURATION",
                description = "Give up after this long (30s, 15m, 2h; exit 13). Default: wait as long as it takes.")
        String timeout;

        @Override
        int run(LabClient lab) throws Exception {
            return waiter(lab, duration("--timeout", timeout)).await(ids);
        }

        static Duration duration(String option, String text) {
            if (text == null) {
                return null;
            }
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(option + " " + text + " is not a duration: give " + e.getMessage());
            }
        }
    }

    static final String LIST_FORMAT = "%-10s %-20s %-10s %-8s %-10s %-24s %s%n";

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List requests, newest first.")
    static final class ListRequests extends LabAction {
        @Option(names = "--host") String host;
        @Option(names = "--state", description = "Queued, Placed, PickedUp, Running, Passed, Failed, Error, Aborted, Cancelled, Rejected.")
        String state;
        @Option(names = "--type", paramLabel = "TYPE", description = "Requests for a pool of this host type, or for a host of it.")
        String type;
        @Option(names = "--job", paramLabel = "ID", description = "The requests of job ID (j-N).") String job;
        @Option(names = "--mine", description = "Only your requests (with --server: the token's user's; on the store: --as).")
        boolean mine;
        @Option(names = "--test", paramLabel = "NAME", description = "Requests that run test package NAME.") String test;
        @Option(names = "--search", paramLabel = "TEXT",
                description = "Free text, case aside: an id, requester, host, pool type, reason, or a test's package or arguments.")
        String search;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (1..1000).") int limit;
        @Option(names = "--offset", defaultValue = "0", description = "Skip this many of the newest first (paging).") int offset;
        @Mixin JsonOption json;

        @Override
        int run(LabClient lab) throws Exception {
            StringBuilder query = new StringBuilder("?limit=" + limit);
            if (offset != 0) {
                query.append("&offset=").append(offset);
            }
            if (test != null) {
                query.append("&test=").append(Remote.encode(test));
            }
            if (search != null) {
                query.append("&q=").append(Remote.encode(search));
            }
            if (type != null) {
                query.append("&type=").append(Remote.encode(type));
            }
            if (job != null) {
                query.append("&job=").append(Remote.encode(job));
            }
            if (mine) {
                query.append("&mine=true");
            }
            if (host != null) {
                query.append("&host=").append(Remote.encode(host));
            }
            if (state != null) {
                query.append("&state=").append(Remote.encode(state));
            }
            JsonNode list = lab.get("/requests" + query);
            if (json.print(list)) {
                return 0;
            }
            System.out.printf(LIST_FORMAT, "ID", "HOST", "STATE", "PRIO", "BY", "FILED", "TESTS");
            for (JsonNode r : list) {
                List<String> names = new ArrayList<>();
                r.get("tests").forEach(t -> names.add(t.get("package").asText()));
                System.out.printf(LIST_FORMAT, text(r, "id"), where(r), text(r, "state"), text(r, "priority"),
                        text(r, "requester"), text(r, "filed"), String.join(",", names));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a request: options, tests, timeline, results.")
    static final class Show extends LabAction {
        @Parameters(paramLabel = "ID") String id;
        @Mixin JsonOption json;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode r = lab.get("/requests/" + Remote.encode(id));
            if (json.print(r)) {
                return 0;
            }
            Output.field("request", text(r, "id"));
            Output.field("host", text(r, "host"));
            Output.field("pool", r.get("pool").isNull() ? null : pool(r.get("pool")));
            Output.field("state", text(r, "state"));
            Output.field("predicted start", text(r, "predictedStart"));
            Output.field("reason", text(r, "reason"));
            Output.field("requester", text(r, "requester"));
            Output.field("priority", text(r, "priority"));
            Output.field("filed", text(r, "filed"));
            Output.field("self reboot", text(r, "selfReboot"));
            Output.field("kernel install", text(r, "kernelInstall"));
            Output.field("build set", text(r, "buildSet"));
            Output.field("timeout", r.get("timeoutSeconds").isNull() ? null : text(r, "timeoutSeconds") + "s");
            Output.field("repository", text(r, "repositoryUrl"));
            r.get("packages").forEach(p -> Output.field("package", text(p, "file") + " " + text(p, "size")
                    + " bytes sha256 " + text(p, "sha256")));
            int i = 1;
            for (JsonNode t : r.get("tests")) {
                List<String> args = HostCommand.strings(t.get("args"));
                Output.field("test " + i++, text(t, "package") + (args.isEmpty() ? "" : " " + String.join(" ", args)));
            }
            for (JsonNode e : r.get("timeline")) {
                Output.field("  " + text(e, "at"), text(e, "state") + (e.get("note").isNull() ? "" : ": " + text(e, "note")));
            }
            for (JsonNode t : r.get("results")) {
                JsonNode cases = t.get("cases");
                int failed = cases.get("fail").asInt() + cases.get("error").asInt();
                Output.field("result " + text(t, "index"), text(t, "name") + " " + text(t, "outcome")
                        + (t.get("exitCode").isNull() ? "" : " (exit " + text(t, "exitCode") + ")") + ", cases: "
                        + cases.get("pass").asInt() + " pass, " + failed + " failed, " + cases.get("skip").asInt()
                        + " skipped");
                for (JsonNode c : t.get("failingCases")) {
                    Output.field("  " + text(c, "outcome"), text(c, "suite") + "." + text(c, "name")
                            + (c.get("message").isNull() ? "" : ": " + text(c, "message").lines().findFirst().orElse("")));
                }
            }
            r.get("caseProblems").forEach(p -> Output.field("case problem", text(p, "message")));
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a request; a placed one's file is removed from the drop.")
    static final class Cancel extends LabAction {
        @Parameters(paramLabel = "ID") String id;

        @Override
        int run(LabClient lab) throws Exception {
            System.out.println(id + " " + text(lab.call("POST", "/requests/" + Remote.encode(id) + "/cancel", null), "state"));
            return 0;
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = {"Move a queued request up, down or to the top of its host's queue. It takes the priority of the "
                    + "request it passes. Through --server, only the host's owner and admins may."})
    static final class Move extends LabAction {
        @Parameters(paramLabel = "ID") String id;
        @Parameters(paramLabel = "DIRECTION", description = "up, down or top") String direction;

        @Override
        int run(LabClient lab) throws Exception {
            JsonNode moved = lab.call("POST", "/requests/" + Remote.encode(id) + "/move", Map.of("direction", direction));
            System.out.println(id + " " + text(moved, "state") + " " + text(moved, "priority"));
            return 0;
        }
    }

    /** Where a request runs, for a list: its host, or its pool while no host has taken it. */
    private static String where(JsonNode r) {
        return !r.get("host").isNull() ? text(r, "host") : "pool:" + pool(r.get("pool"));
    }

    /** A pool as {@code rpi4} or {@code rpi4+usb3}. */
    private static String pool(JsonNode pool) {
        List<String> labels = HostCommand.strings(pool.get("labels"));
        return text(pool, "type") + (labels.isEmpty() ? "" : "+" + String.join("+", labels));
    }

    private static String text(JsonNode node, String field) {
        return Remote.text(node, field);
    }
}
