package labdrop.cli;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import labdrop.agent.Agent;
import labdrop.agent.AgentConfig;
import labdrop.agent.AgentDaemon;
import labdrop.agent.AgentLock;
import labdrop.agent.IdleMemory;
import labdrop.agent.OnceGate;
import labdrop.log.LogFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the SUT agent: poll the drop, run the requests placed for this host, report back.",
                "Without --once it runs a Quartz schedule (schedule.cron, with jitter) until SIGTERM or Ctrl-C; "
                + "with --once it polls once and exits (for cron or a systemd timer). One agent per work.dir: "
                + "a second one exits at once with exit code 4.",
                "Through the launcher (labdrop), a --once poll after a quiet one asks the doorbell with curl and ends "
                + "on a 304 without starting Java (LABDROP_ONCE_GATE=off: always Java).",
                "See conf/agent.conf and docs/agent.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the poll (or the daemon) ended normally", "2:agent.conf is invalid",
                "4:another agent is running", "5:the drop could not be reached",
                "75:a newer agent was installed (self-update): start the agent again; the launcher runs the new one",
                "76:the daemon, idle daemon.afresh-after-idle after a run and over daemon.max-idle-mib, asks to be "
                        + "started afresh; the launcher does it at once"})
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--conf", paramLabel = "FILE", defaultValue = "${env:LABDROP_AGENT_CONF}",
            description = "agent.conf to read (default: $LABDROP_AGENT_CONF, else the environment alone).")
    Path conf;

    @Option(names = "--once", description = "Poll once and exit.")
    boolean once;

    @Override
    public Integer call() throws Exception {
        AgentConfig config = AgentConfig.load(conf, System.getenv());
        LogFormat.use(config.logFormat());
        try (AgentLock ignored = AgentLock.acquire(config.workDir())) {
            Agent agent = new Agent(config, Clock.systemUTC(), new SecureRandom());
            // the launcher's quiet poll (OnceGate) holds only until the agent's own next poll says otherwise
            OnceGate.remove(config.workDir());
            if (once) {
                Agent.Outcome outcome = agent.poll();
                OnceGate.afterPoll(config, outcome, System.getenv(OnceGate.KEY_ENV));
                System.out.println("poll: " + outcome.name().toLowerCase(Locale.ROOT));
                return outcome == Agent.Outcome.UPDATED ? Agent.EXIT_RESTART : 0;
            }
            AgentDaemon daemon = new AgentDaemon(agent);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    daemon.close();
                } catch (Exception e) {
                    System.err.println("agent: stopping the scheduler: " + e.getMessage());
                }
                stopped.countDown();
            }, "labdrop-agent-shutdown"));
            int[] exit = {0};
            daemon.onUpdated(() -> {
                exit[0] = Agent.EXIT_RESTART;
                stopped.countDown();
            });
            // only the launcher's loop starts the daemon again at once; another parent would see it stop
            boolean launched = "1".equals(System.getenv(IdleMemory.LAUNCHER_ENV));
            daemon.onIdleOverMemory(IdleMemory.ofThisProcess(launched ? config.daemonMaxIdleMib() : 0,
                    config.daemonAfreshAfterIdle()), () -> {
                exit[0] = IdleMemory.EXIT_AFRESH;
                stopped.countDown();
            });
            daemon.start();
            System.out.println("labdrop agent for host '" + config.host() + "' polling " + config.drop() + " on '"
                    + config.cron() + "'");
            System.out.flush();
            stopped.await();
            if (exit[0] != 0) {
                daemon.close();
                System.out.println(exit[0] == Agent.EXIT_RESTART
                        ? "agent updated: exiting with " + exit[0] + " to be started again (systemd Restart=always)"
                        : "agent idle over daemon.max-idle-mib after a run: exiting with " + exit[0]
                                + " to be started afresh by the launcher");
            }
            return exit[0];
        }
    }
}
