package labdrop.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import labdrop.gateway.Gateway;
import labdrop.gateway.GatewayConfig;
import labdrop.gateway.GatewayStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {"Run a lab gateway: keep a local drop for every host of one lab in step with the server through "
                + "one outbound SSH connection (SFTP or rsync; the lab's login: labdrop lab add, labdrop lab key add), and "
                + "serve it to the lab's SUTs as a folder (file://) and over the gateway's own SSH server (sftp://, "
                + "rsync+ssh://).",
                "Runs until SIGTERM or Ctrl-C. See conf/gateway.conf and docs/gateway.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the gateway stopped normally", "2:gateway.conf is invalid"})
final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--conf", paramLabel = "FILE", defaultValue = "${env:LABDROP_GATEWAY_CONF}",
            description = "gateway.conf to read (default: $LABDROP_GATEWAY_CONF, else the environment alone).")
    Path conf;

    @Override
    public Integer call() throws Exception {
        GatewayConfig config = GatewayConfig.load(conf, System.getenv());
        Gateway gateway = new Gateway(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                gateway.close();
            } catch (Exception e) {
                System.err.println("gateway: stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "labdrop-gateway-shutdown"));
        gateway.start();
        System.out.println("labdrop gateway for lab '" + config.lab() + "' syncing with " + config.server()
                + "; local drop " + config.dropDir() + (gateway.sshPort() > 0 ? "; SSH on port " + gateway.sshPort() : ""));
        System.out.flush();
        stopped.await();
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"What the gateway last did: when it last reached the server, the last error, the lab doorbell, "
                    + "the package cache's use, and per host when it was last synced and how many files its SUT wrote that have not reached the "
                    + "server yet.",
                    "Reads <state.dir>/status.properties; works while the gateway runs or not."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:the last sync reached the server", "5:the last sync failed, or the gateway never synced"})
    static final class Status implements Callable<Integer> {
        @Option(names = "--conf", paramLabel = "FILE", defaultValue = "${env:LABDROP_GATEWAY_CONF}",
                description = "gateway.conf to read (default: $LABDROP_GATEWAY_CONF, else the environment alone).")
        Path conf;
        @Mixin JsonOption json;

        @Override
        public Integer call() throws Exception {
            GatewayConfig config = GatewayConfig.load(conf, System.getenv());
            GatewayStatus status = GatewayStatus.read(config.stateDir());
            boolean ok = status.lastError() == null && status.lastSync() != null;
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("lab", config.lab());
            answer.put("server", config.server().toString());
            answer.put("lastAttempt", String.valueOf(status.lastAttempt()));
            answer.put("lastSync", String.valueOf(status.lastSync()));
            answer.put("lastError", status.lastError());
            Map<String, Object> hosts = new LinkedHashMap<>();
            status.hosts().forEach((name, h) -> hosts.put(name, Map.of("lastSync", String.valueOf(h.lastSync()),
                    "unsent", h.unsent())));
            answer.put("hosts", hosts);
            answer.put("cache", Map.of("packages", status.cachePackages(), "bytes", status.cacheBytes()));
            answer.put("doorbell", status.doorbell());
            if (!json.print(answer)) {
                System.out.println("lab          " + config.lab());
                System.out.println("server       " + config.server());
                System.out.println("last attempt " + status.lastAttempt());
                System.out.println("last sync    " + (status.lastSync() == null ? "never" : status.lastSync()));
                if (status.lastError() != null) {
                    System.out.println("last error   " + status.lastError());
                }
                System.out.println("cache        " + status.cachePackages() + " packages, " + status.cacheBytes() + " bytes");
                if (status.doorbell() != null) {
                    System.out.println("doorbell     " + status.doorbell());
                }
                System.out.printf("%-24s %-28s %s%n", "HOST", "LAST SYNC", "UNSENT FILES");
                status.hosts().forEach((name, h) -> System.out.printf("%-24s %-28s %d%n", name,
                        h.lastSync() == null ? "never" : h.lastSync(), h.unsent()));
            }
            return ok ? 0 : ExitCodes.INFRASTRUCTURE;
        }
    }
}
