package labdrop.bench;

import static labdrop.bench.Waits.waitFor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import labdrop.admin.HostDraft;
import labdrop.agent.SmokePackage;
import labdrop.app.ServerApp;
import labdrop.app.Services;
import labdrop.host.HostState;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.RequestState;
import labdrop.request.TestSpec;

/**
 * bench/start-bench.sh runs this: how long a tester waits from filing a request for an idle host
 * until the server shows it picked up (PickedUp or Running, as the request page shows it), with
 * two real agent daemons (child JVMs, file:// drops) on one server (H2): one as the package sets it
 * up (the default schedule, every 2 minutes with 30 s of jitter, and the doorbell's long-poll), one
 * polling every 5 s with long-polling off (the demo's schedule, and how agents worked before). Rounds
 * alternate the two hosts; prints min / median / max.
 */
public final class StartBench {
    private static final int ROUNDS = 10;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        try (ServerApp app = ServerBench.server(work.resolve("state"))) {
            Services s = app.services();
            SmokePackage.publish(work.resolve("state/packages/builtin"), "smoke", 0);
            String base = "http://127.0.0.1:" + app.httpPort();
            Files.writeString(work.resolve("boot_id"), "bench\n");
            List<Process> agents = new ArrayList<>();
            try {
                agents.add(agent(s, work, base, "long-poll", Map.of()));
                agents.add(agent(s, work, base, "every-5s", Map.of("LABDROP_SCHEDULE_CRON", "0/5 * * * * ?",
                        "LABDROP_SCHEDULE_JITTER", "0s", "LABDROP_DOORBELL_WAIT", "0s")));
                waitFor(() -> s.hosts().show("long-poll").state() == HostState.AVAILABLE
                        && s.hosts().show("every-5s").state() == HostState.AVAILABLE && s.doorbell().held() == 1, 120_000);
                Map<String, List<Long>> waits = new HashMap<>();
                for (int round = 0; round < ROUNDS; round++) {
                    List<String> order = round % 2 == 0 ? List.of("long-poll", "every-5s") : List.of("every-5s", "long-poll");
                    for (String host : order) {
                        waits.computeIfAbsent(host, h -> new ArrayList<>()).add(startMillis(s, host));
                    }
                }
                System.out.println("| filing → picked up, idle host (" + ROUNDS + " rounds) | min | median | max |");
                System.out.println("|---|---|---|---|");
                row("agent daemon as packaged: schedule every 2 min + 30 s jitter, doorbell long-poll", waits.get("long-poll"));
                row("agent daemon polling every 5 s (the demo's schedule), long-poll off", waits.get("every-5s"));
            } finally {
                for (Process agent : agents) {
                    agent.destroy();
                    agent.waitFor();
                }
            }
        }
    }

    private static Process agent(Services s, Path work, String base, String host, Map<String, String> more) throws Exception {
        s.hosts().add(new HostDraft(host, "default", "", null, false, true, null), "bench");
        Path token = work.resolve(host + ".token");
        Files.writeString(token, s.doorbell().issueToken(host) + "\n");
        Map<String, String> env = new HashMap<>(Map.of("LABDROP_HOST", host,
                "LABDROP_DROP_URL", work.resolve("state/drop/" + host).toUri().toString(),
                "LABDROP_WORK_DIR", work.resolve("agent-" + host).toString(),
                "LABDROP_FETCH_LOCATIONS", base + "/packages/builtin/",
                "LABDROP_REBOOT_BOOT_ID_FILE", work.resolve("boot_id").toString(),
                "LABDROP_DOORBELL_URL", base + "/api/v1/hosts/" + host + "/generation",
                "LABDROP_DOORBELL_TOKEN_FILE", token.toString()));
        env.putAll(more);
        return JavaChild.start(System.getProperty("java.class.path"), List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                env, work.resolve(host + ".log"), "agent");
    }

    /** Files a request for the idle host, returns the milliseconds until it is picked up, waits until it ends and the host is idle again. */
    private static long startMillis(Services s, String host) throws Exception {
        Request request = s.desk().file(new RequestSpec(host, "bench", List.of(TestSpec.parse("smoke")), Priority.NORMAL, false,
                null, null, null, null));
        long t0 = System.nanoTime();
        waitFor(() -> {
            RequestState state = s.desk().find(request.id()).state();
            return state != RequestState.QUEUED && state != RequestState.PLACED;
        }, 300_000);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        waitFor(() -> s.desk().find(request.id()).state().isFinal() && s.hosts().show(host).state() == HostState.AVAILABLE, 300_000);
        Thread.sleep(1000);
        return millis;
    }

    private static void row(String what, List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        System.out.printf("| %s | %.2f s | %.2f s | %.2f s |%n", what, sorted.get(0) / 1000.0, sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0);
    }
}
