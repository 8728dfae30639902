package labdrop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import labdrop.app.ServerApp;
import labdrop.config.ServerConfig;
import labdrop.log.LogFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run the lab server.",
                "Opens the store, runs the Camel routes in routes.dir (placement, state and result ingest, "
                + "config history, watchdog) and watches the drop. Stops cleanly on SIGTERM or Ctrl-C."})
final class ServerCommand implements Callable<Integer> {
    @Mixin
    ConfOption conf;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = conf.load();
        LogFormat.use(config.logFormat());
        ServerApp app = ServerApp.build(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "labdrop-shutdown"));
        app.start();
        System.out.println("labdrop server running; drop " + app.services().lab().drop().root());
        System.out.flush();
        stopped.await();
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Ask the running server whether it is ready (GET /readyz): the store answers, the drop is "
                    + "writable, free disk is above ready.min-free-bytes, the SSH server answers, the placer keeps up.",
                    "Exit 0 when ready; 5 when a check fails or the server does not answer (each failing check is printed)."})
    static final class Status implements Callable<Integer> {
        @Mixin
        ConfOption conf;
        @Option(names = "--url", paramLabel = "URL",
                description = "The server's base URL (default: http.host and http.port of server.conf, on loopback when it listens everywhere).")
        String url;
        @Option(names = "--wait", paramLabel = "DURATION",
                description = "Ask again every second until ready or this long has passed (30s, 2m); for start-up scripts.")
        String waitFor;
        @Mixin JsonOption json;

        @Override
        public Integer call() throws Exception {
            Duration wait = waitFor == null ? Duration.ZERO : RequestCommand.Wait.duration("--wait", waitFor);
            URI readyz = URI.create((url != null ? url.replaceAll("/+$", "") : base(conf.load())) + "/readyz");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                String problem;
                try {
                    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(10))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() == 200 || answer.statusCode() == 503) {
                        JsonNode body = new ObjectMapper().readTree(answer.body());
                        boolean ready = body.get("ready").asBoolean();
                        if (ready || System.nanoTime() >= deadline) {
                            print(body);
                            return ready ? 0 : ExitCodes.INFRASTRUCTURE;
                        }
                        problem = null;
                    } else {
                        problem = readyz + " answered HTTP " + answer.statusCode() + "; is this a labdrop server?";
                    }
                } catch (IOException e) {
                    problem = "no answer from " + readyz + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                            : e.getMessage()) + "); is the server running?";
                }
                if (problem != null && System.nanoTime() >= deadline) {
                    System.err.println(problem);
                    return ExitCodes.INFRASTRUCTURE;
                }
                Thread.sleep(1000);
            }
        }

        private void print(JsonNode body) throws IOException {
            if (json.print(body)) {
                return;
            }
            System.out.println(body.get("ready").asBoolean() ? "ready" : "NOT READY");
            for (JsonNode check : body.get("checks")) {
                System.out.printf("  %-8s %-4s %s%n", check.get("name").asText(), check.get("ok").asBoolean() ? "ok" : "FAIL",
                        check.get("ok").asBoolean() ? "" : check.get("detail").asText());
            }
        }

        static String base(ServerConfig config) {
            String host = config.http().host();
            if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
                host = "127.0.0.1";
            } else if (host.contains(":")) {
                host = "[" + host + "]";
            }
            return (config.http().tls().enabled() ? "https" : "http") + "://" + host + ":" + config.http().port();
        }
    }
}
