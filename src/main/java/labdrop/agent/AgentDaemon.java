package labdrop.agent;

import java.time.Duration;
import java.util.Properties;
import java.util.Random;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code labdrop agent} without {@code --once}: a Quartz scheduler (one thread, in memory) fires
 * a poll on {@code schedule.cron}, each after a random wait of up to {@code schedule.jitter}, and
 * one poll at start-up so a rebooted SUT resumes at once. Polls never overlap; a fire that comes
 * while a poll (a whole test run) is under way is dropped, not queued.
 */
public final class AgentDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentDaemon.class);
    private static final String AGENT = "labdrop.agent";
    private static final String UPDATED = "labdrop.updated";
    private final Scheduler scheduler;

    public AgentDaemon(Agent agent) throws SchedulerException {
        Properties p = new Properties();
        // One scheduler per agent (by host), so several agents can share a process (the demo).
        p.setProperty("org.quartz.scheduler.instanceName", "labdrop-agent-" + agent.context().config().host());
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "labdrop-agent-" + agent.context().config().host());
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "1000");
        scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.getContext().put(AGENT, agent);
        JobDetail job = JobBuilder.newJob(PollJob.class).withIdentity("poll").storeDurably().build();
        scheduler.addJob(job, false);
        scheduler.scheduleJob(TriggerBuilder.newTrigger().withIdentity("schedule").forJob(job)
                .withSchedule(CronScheduleBuilder.cronSchedule(agent.context().config().cron())
                        .withMisfireHandlingInstructionDoNothing()).build());
        scheduler.scheduleJob(TriggerBuilder.newTrigger().withIdentity("start-up").forJob(job)
                .usingJobData("nojitter", true).startNow().build());
    }

    /** Called (once) when a poll installed a newer agent: the process should exit with {@link Agent#EXIT_RESTART}. */
    public void onUpdated(Runnable action) throws SchedulerException {
        scheduler.getContext().put(UPDATED, action);
    }

    public void start() throws SchedulerException {
        scheduler.start();
    }

    @Override
    public void close() throws SchedulerException {
        // Not waiting for a running poll: its test goes on and the next agent adopts it (docs/agent.md).
        scheduler.shutdown(false);
    }

    /**
     * How long a scheduled poll waits first: evenly spread over [0, {@code jitter}), so SUTs on
     * the same cron do not all reach the server in the same second.
     */
    static Duration waitBeforePoll(Random random, Duration jitter) {
        return jitter.isZero() ? Duration.ZERO : Duration.ofMillis((long) (random.nextDouble() * jitter.toMillis()));
    }

    /** One scheduled poll. */
    @DisallowConcurrentExecution
    public static final class PollJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                Agent agent = (Agent) context.getScheduler().getContext().get(AGENT);
                if (!context.getMergedJobDataMap().containsKey("nojitter")) {
                    agent.context().sleeper().sleep(waitBeforePoll(agent.context().random(), agent.context().config().jitter()));
                }
                Agent.Outcome outcome = agent.poll();
                LOG.debug("poll: {}", outcome);
                if (outcome == Agent.Outcome.UPDATED && context.getScheduler().getContext().get(UPDATED) instanceof Runnable r) {
                    context.getScheduler().pauseAll();
                    r.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("poll failed: {}", e.getMessage());
            }
        }
    }
}
