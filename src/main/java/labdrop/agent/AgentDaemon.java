package labdrop.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
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
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
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
    private static final String IDLE = "labdrop.idle-memory";
    private static final String AFRESH = "labdrop.afresh";
    private static final String AFRESH_POLL = "afresh";
    private static final String POLL = "poll";
    private static final String SCHEDULED = "scheduled";
    private final Scheduler scheduler;
    private final DoorbellListener listener;

    public AgentDaemon(Agent agent) throws SchedulerException {
        Properties p = new Properties();
        // One scheduler per agent (by host), so several agents can share a process (the demo).
        p.setProperty("org.quartz.scheduler.instanceName", "labdrop-agent-" + agent.context().config().host());
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "labdrop-agent-" + agent.context().config().host());
        // one thread polls; the other lets a scheduled poll's jitter pass without holding up a poll the doorbell asks for
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "1000");
        scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.getContext().put(AGENT, agent);
        JobDetail job = JobBuilder.newJob(PollJob.class).withIdentity(POLL).storeDurably().build();
        scheduler.addJob(job, false);
        // The cron fires a job that waits the jitter on its own thread and then starts the poll, so a
        // poll the doorbell asks for meanwhile does not wait behind a scheduled poll's jitter.
        JobDetail jitter = JobBuilder.newJob(JitterJob.class).withIdentity("schedule").storeDurably().build();
        scheduler.addJob(jitter, false);
        scheduler.scheduleJob(TriggerBuilder.newTrigger().withIdentity("schedule").forJob(jitter)
                .withSchedule(CronScheduleBuilder.cronSchedule(agent.context().config().cron())
                        .withMisfireHandlingInstructionDoNothing()).build());
        scheduler.scheduleJob(TriggerBuilder.newTrigger().withIdentity("start-up").forJob(job).startNow().build());
        AgentConfig config = agent.context().config();
        listener = config.doorbell().longPolls() ? new DoorbellListener(agent.doorbell(), config.doorbell().hold(),
                agent.context().sleeper(), () -> pollNow(job), config.host()) : null;
    }

    /** A poll without jitter as soon as no poll runs; one such poll waiting is enough. */
    private void pollNow(JobDetail job) {
        pollNow(scheduler, job);
    }

    /** A poll at {@code at}, replacing the one an earlier run asked for. */
    private static void afreshPoll(Scheduler scheduler, JobDetail job, Instant at) {
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(AFRESH_POLL).forJob(job).startAt(Date.from(at)).build();
        try {
            if (scheduler.checkExists(trigger.getKey())) {
                scheduler.rescheduleJob(trigger.getKey(), trigger);
            } else {
                scheduler.scheduleJob(trigger);
            }
        } catch (SchedulerException e) {
            LOG.warn("the poll at {} (to see whether to start afresh) was not scheduled: {}", at, e.getMessage());
        }
    }

    private static void pollNow(Scheduler scheduler, JobDetail job) {
        try {
            scheduler.scheduleJob(TriggerBuilder.newTrigger().withIdentity("doorbell").forJob(job).startNow().build());
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

    /**
     * Called (once) when a poll found nothing to do, {@code idle}'s wait after the last run has
     * passed and the process is over its cap: the process should exit with {@link IdleMemory#EXIT_AFRESH}.
     */
    public void onIdleOverMemory(IdleMemory idle, Runnable action) throws SchedulerException {
        scheduler.getContext().put(IDLE, idle);
        scheduler.getContext().put(AFRESH, action);
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

    /**
     * A scheduled poll's start: a random wait of up to {@code schedule.jitter}, then the poll, unless
     * one is then under way (the scheduled poll is dropped, not queued behind a test run).
     */
    @DisallowConcurrentExecution
    public static final class JitterJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                Agent agent = (Agent) context.getScheduler().getContext().get(AGENT);
                agent.context().sleeper().sleep(waitBeforePoll(agent.context().random(), agent.context().config().jitter()));
                TriggerKey scheduled = TriggerKey.triggerKey(SCHEDULED);
                // One that misfired behind a long run is kept, finished, by Quartz's in-memory store under its
                // name (RAMJobStore.applyMisfire), and would refuse every later one: it is removed first.
                if (context.getScheduler().getTriggerState(scheduled) == Trigger.TriggerState.COMPLETE) {
                    context.getScheduler().unscheduleJob(scheduled);
                }
                context.getScheduler().scheduleJob(TriggerBuilder.newTrigger().withIdentity(scheduled).forJob(POLL).startNow()
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionNextWithRemainingCount())
                        .build());
            } catch (ObjectAlreadyExistsException waiting) {
                // the last scheduled poll has not started yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SchedulerException e) {
                LOG.warn("scheduled poll not started: {}", e.getMessage());
            }
        }
    }

    /** One poll: at start-up, on schedule (after its jitter), or when the doorbell rang. */
    @DisallowConcurrentExecution
    public static final class PollJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                Agent agent = (Agent) context.getScheduler().getContext().get(AGENT);
                Agent.Outcome outcome = agent.poll();
                LOG.debug("poll: {}", outcome);
                IdleMemory idle = context.getScheduler().getContext().get(IDLE) instanceof IdleMemory m ? m : null;
                Instant ended = agent.context().now();
                boolean afresh = idle != null && idle.afterPoll(outcome, ended);
                if (outcome == Agent.Outcome.RAN) {
                    // going idle: a full collection lets the serial collector give back what the run grew
                    System.gc();
                    if (idle != null && idle.watching()) {
                        // a poll once the idle time has passed (moved on by each run): with nothing to do, it may start afresh
                        afreshPoll(context.getScheduler(), context.getJobDetail(), ended.plus(idle.afterIdle()));
                    }
                }
                if (afresh && context.getScheduler().getContext().get(AFRESH) instanceof Runnable r) {
                    LOG.info("idle {} after a run with {} MiB resident, over daemon.max-idle-mib = {}: starting afresh",
                            idle.afterIdle(), String.format(Locale.ROOT, "%.1f", idle.lastResidentMib()), idle.maxMib());
                    context.getScheduler().pauseAll();
                    r.run();
                }
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
