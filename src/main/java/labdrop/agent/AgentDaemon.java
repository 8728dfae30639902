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
import org.quartz.ObjectAlreadyExistsException;
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
 * while a poll (a whole test run) is under way is dropped, not queued. With a doorbell, a
 * {@link DoorbellListener} long-polls it between the scheduled polls and asks for a poll at once
 * when the host changed (that one is kept until the running poll ends).
 */
public final class AgentDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentDaemon.class);
    private static final String AGENT = "labdrop.agent";
    private static final String UPDATED = "labdrop.updated";
    private final Scheduler scheduler;
    private final DoorbellListener listener;

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
        AgentConfig config = agent.context().config();
        listener = config.doorbell().longPolls() ? new DoorbellListener(agent.doorbell(), config.doorbell().hold(),
                agent.context().sleeper(), () -> pollNow(job), config.host()) : null;
    }

    /** A poll without jitter as soon as no poll runs; one such poll waiting is enough. */
    private void pollNow(JobDetail job) {
        try {
            scheduler.scheduleJob(TriggerBuilder.newTrigger().withIdentity("doorbell").forJob(job)
                    .usingJobData("nojitter", true).startNow().build());
        } catch (ObjectAlreadyExistsException waiting) {
            // a poll asked for earlier has not started yet; it will see this change too
        } catch (SchedulerException e) {
            LOG.debug("doorbell poll not scheduled: {}", e.getMessage());
        }
    }

    /** Called (once) when a poll installed a newer agent: the process should exit with {@link Agent#EXIT_RESTART}. */
    public void onUpdated(Runnable action) throws SchedulerException {
        scheduler.getContext().put(UPDATED, action);
    }

    public void start() throws SchedulerException {
        scheduler.start();
        if (listener != null) {
            listener.start();
        }
    }

    @Override
    public void close() throws SchedulerException {
        // Not waiting for a running poll: its test goes on and the next agent adopts it (docs/agent.md).
        if (listener != null) {
            listener.close();
        }
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
