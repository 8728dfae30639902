package labdrop.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import labdrop.app.ServerApp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run the lab server.",
                "Opens the store, runs the Camel routes in routes.dir (placement, state and result ingest,",
                "config history, watchdog) and watches the drop. Stops cleanly on SIGTERM or Ctrl-C."})
final class ServerCommand implements Callable<Integer> {
    @Mixin
    ConfOption conf;

    @Override
    public Integer call() throws Exception {
        ServerApp app = ServerApp.build(conf.load(), Clock.systemUTC());
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
}
