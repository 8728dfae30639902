package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.RequestDoc;
import labdrop.drop.xml.ResultDoc;
import labdrop.drop.xml.StateDoc;
import labdrop.drop.xml.XmlFormat;
import labdrop.pkg.Manifest;
import labdrop.pkg.Repository;
import labdrop.testing.TestClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole run on a real work folder, drop folder and package repository, with the test's clock and
 * a sleeper that fails if anything waits: self-reboot, install, a test that asks for a reboot and
 * runs again, a passing and a failing test, the finish. Then the same run stopped (as by kill -9)
 * just before and just after every journal write, and carried on by a new agent.
 */
class RequestRunTest {
    static final String ID = "r-7";

    @TempDir
    Path root;

    /** The package repository every lab fetches test-smoke from. */
    @TempDir
    static Path repo;
    static Manifest.Entry smoke;

    @BeforeAll
    static void publish() throws IOException {
        SmokePackage.publish(repo, "smoke", 0);
        smoke = new Repository(repo).index().entries().get("test-smoke.tar.bz2");
    }

    /** One SUT and its drop, in their own folder. */
    final class Lab {
        final Path dir;
        final Path host;
        final Path bootId;
        final List<Duration> sleeps = new ArrayList<>();
        /** A second further at every read: the run's instants are its own, and ordered. */
        final TestClock clock = TestClock.ticking("2026-12-04T12:00:00Z", Duration.ofSeconds(1));

        Lab(String name) throws IOException {
            dir = Files.createDirectories(root.resolve(name));
            host = Files.createDirectories(dir.resolve("drop/sut-01"));
            Files.createDirectories(host.resolve(DropLayout.CURRENT));
            Files.createDirectories(host.resolve(DropLayout.CONFIG));
            bootId = Files.writeString(dir.resolve("boot_id"), "boot-1\n");
            AtomicFiles.write(host.resolve(DropLayout.CURRENT).resolve(ID + ".xml"),
                    DropXml.write(XmlFormat.REQUEST, request()));
        }

        private RequestDoc request() {
            RequestDoc doc = new RequestDoc();
            doc.id = ID;
            doc.host = "sut-01";
            doc.requester = "olivia";
            doc.filed = Instant.parse("2026-12-04T10:00:00Z");
            doc.priority = "normal";
            doc.options.selfReboot = true;
            RequestDoc.Package p = new RequestDoc.Package();
            p.type = "test";
            p.name = "smoke";
            p.sha256 = smoke.sha256();
            p.size = smoke.size();
            doc.packages.list.add(p);
            doc.tests.add(test("count", dir.resolve("runs-1").toString()));
            doc.tests.add(test("reboot", "2", "count", dir.resolve("runs-2").toString()));
            doc.tests.add(test("count", dir.resolve("runs-3").toString(), "fail"));
            return doc;
        }

        private static RequestDoc.Test test(String... args) {
            RequestDoc.Test test = new RequestDoc.Test();
            test.packageName = "smoke";
            test.args.addAll(List.of(args));
            return test;
        }

        AgentConfig config() {
            Map<String, String> env = new HashMap<>();
            env.put("LABDROP_HOST", "sut-01");
            env.put("LABDROP_OWNER", "olivia");
            env.put("LABDROP_DROP_URL", host.toUri().toString());
            env.put("LABDROP_WORK_DIR", dir.resolve("agent").toString());
            env.put("LABDROP_FETCH_LOCATIONS", repo.toUri().toString());
            env.put("LABDROP_REBOOT_BOOT_ID_FILE", bootId.toString());
            // No package list per run: dpkg-query is the slowest step of a run and not what is tested here.
            env.put("LABDROP_BUILD_SET", "false");
            // The reboot: a new boot id, as the SUT would have when it comes back.
            env.put("LABDROP_REBOOT_COMMAND", "echo boot-$$-$(date +%s%N) > " + bootId);
            return AgentConfig.load(null, env);
        }

        Agent agent(JournalFile.Writer writer) {
            RunContext context = new RunContext(config(), clock, sleeps::add, new Random(7), "test");
            return new Agent(context, () -> 0.0, writer);
        }

        /**
         * Polls as the schedule would, until a poll ran the request to its end, or found nothing to do
         * (the agent before it had ended the run); a reboot ends a poll.
         */
        List<Agent.Outcome> pollUntilRan(Agent agent) throws Exception {
            List<Agent.Outcome> outcomes = new ArrayList<>();
            while (outcomes.isEmpty() || !List.of(Agent.Outcome.RAN, Agent.Outcome.IDLE)
                    .contains(outcomes.get(outcomes.size() - 1))) {
                assertThat(outcomes).as("polls so far").hasSizeLessThan(6);
                outcomes.add(agent.poll());
            }
            return outcomes;
        }

        ResultDoc result() throws IOException {
            Path file = host.resolve(DropLayout.RESULTS).resolve(ID).resolve(DropLayout.RESULT_FILE);
            return DropXml.read(XmlFormat.RESULT, Files.readAllBytes(file), file.toString());
        }

        List<String> outcomes() throws IOException {
            return result().tests.stream().map(t -> t.index + " " + t.outcome + ":" + t.exitCode).toList();
        }

        /** The reboot counts each test ran at (one line per run of the test). */
        List<String> runs(int test) throws IOException {
            Path file = dir.resolve("runs-" + test);
            return Files.exists(file) ? Files.readAllLines(file).stream().map(l -> l.split(" ")[2]).toList() : List.of();
        }

        StateDoc state() throws IOException {
            Path file = host.resolve(DropLayout.STATE_FILE);
            return DropXml.read(XmlFormat.STATE, Files.readAllBytes(file), file.toString());
        }

        Journal journal() throws IOException {
            return JournalFile.open(dir.resolve("agent")).current();
        }
    }

    /** What kill -9 does to the agent: the process is gone at this point, its children live on. */
    static final class Killed extends Error {
        Killed(String where) {
            super(where);
        }
    }

    /**
     * Replaces the journal atomically as the agent does, without the fsync: a killed process loses
     * nothing the kernel already has (power loss is another matter, and not what is tested here).
     */
    static void replace(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes the journal as the agent does, but stops the agent at write {@code at}, before or after it lands. */
    static final class KillingWriter implements JournalFile.Writer {
        final int at;
        final boolean afterWrite;
        int writes;
        Journal killedAt;
        Journal lastWritten;
        /** Every state report the run sent, in order (the journal records each one once it is written). */
        final List<String> reports = new ArrayList<>();

        KillingWriter(int at, boolean afterWrite) {
            this.at = at;
            this.afterWrite = afterWrite;
        }

        @Override
        public void write(Path file, byte[] content) throws IOException {
            writes++;
            if (writes == at && !afterWrite) {
                killedAt = JournalJson.read(content);
                throw new Killed("before journal write " + at);
            }
            replace(file, content);
            String before = lastWritten == null ? null : lastWritten.lastState();
            lastWritten = JournalJson.read(content);
            if (lastWritten.lastState() != null && !lastWritten.lastState().equals(before)) {
                reports.add(lastWritten.lastState());
            }
            if (writes == at) {
                killedAt = JournalJson.read(content);
                throw new Killed("after journal write " + at);
            }
        }
    }

    static final List<String> OUTCOMES = List.of("1 pass:0", "2 pass:0", "3 fail:3");

    @Test
    void aWholeRunSelfRebootsInstallsRebootsForATestAndFinishesWithoutWaiting() throws Exception {
        Lab lab = new Lab("whole");
        KillingWriter counting = new KillingWriter(Integer.MAX_VALUE, true);

        List<Agent.Outcome> polls = lab.pollUntilRan(lab.agent(counting));

        assertThat(polls).containsExactly(Agent.Outcome.REBOOTING, Agent.Outcome.REBOOTING, Agent.Outcome.RAN);
        assertThat(lab.outcomes()).containsExactlyElementsOf(OUTCOMES);
        assertThat(lab.runs(1)).as("test 1 ran once, after the self-reboot").containsExactly("1");
        assertThat(lab.runs(2)).as("test 2 asked for a reboot and ran again after it").containsExactly("1", "2");
        assertThat(lab.runs(3)).containsExactly("2");
        assertThat(Files.exists(lab.host.resolve("current/" + ID + ".xml"))).as("request removed").isFalse();
        assertThat(lab.state().status).isEqualTo("Available");
        assertThat(lab.journal().hasFinished(ID)).isTrue();
        assertThat(lab.journal().active()).isFalse();
        assertThat(lab.sleeps).as("the run never waited on its sleeper").isEmpty();
        assertThat(counting.writes).as("journal writes in a whole run").isGreaterThan(20);
        assertThat(counting.reports).as("the install reports its fetch; no report that the fetch replaces at once")
                .anyMatch(r -> r.startsWith("Install|" + ID + "|fetch 1/1 test-smoke.tar.bz2|"))
                .noneMatch(r -> r.startsWith("Install|" + ID + "|install|"));
    }

    @Test
    void aRunStoppedAtAnyJournalWriteIsCarriedOnByTheNextAgentAndEndsOnce() throws Exception {
        KillingWriter whole = new KillingWriter(Integer.MAX_VALUE, true);
        Lab counted = new Lab("count");
        counted.pollUntilRan(counted.agent(whole));
        int writes = whole.writes;
        List<String> seen = new ArrayList<>();
        for (int at = 1; at <= writes; at++) {
            for (boolean afterWrite : List.of(false, true)) {
                Lab lab = new Lab("kill-" + at + (afterWrite ? "-after" : "-before"));
                KillingWriter killer = new KillingWriter(at, afterWrite);
                Agent first = lab.agent(killer);
                assertThatThrownBy(() -> lab.pollUntilRan(first)).isInstanceOf(Killed.class);
                Journal cut = killer.killedAt;

                lab.pollUntilRan(lab.agent(RequestRunTest::replace));

                String where = (afterWrite ? "after" : "before") + " write " + at + " " + describe(cut);
                assertThat(lab.journal().hasFinished(ID)).as("finished, %s", where).isTrue();
                assertThat(Files.exists(lab.host.resolve("current/" + ID + ".xml"))).as("removed, %s", where).isFalse();
                assertThat(lab.state().status).as("state, %s", where).isEqualTo("Available");
                assertThat(lab.sleeps).as("no waiting, %s", where).isEmpty();
                assertThat(lab.outcomes()).as("results, %s", where).isIn(expectedOutcomes(killer));
                assertThat(lab.runs(1).size() + lab.runs(3).size()).as("tests 1 and 3 run at most once, %s", where)
                        .isLessThanOrEqualTo(2);
                assertThat(lab.runs(2)).as("test 2 runs once per boot, %s", where).doesNotHaveDuplicates();
                seen.add(where);
            }
        }
        assertThat(seen).as("kill points").hasSize(2 * writes);
        System.out.println("RequestRunTest: " + writes + " journal writes in a whole run; stopped and carried on at "
                + seen.size() + " points");
    }

    private static String describe(Journal j) {
        return "(phase " + j.phase() + ", reboots " + j.rebootCount() + ", test running " + j.testRunning()
                + ", pid " + j.testPid() + ", recorded " + j.tests().size() + ")";
    }

    /**
     * What the run may report when the agent died at {@code cut}: the uninterrupted outcome, except
     * where the agent cannot know whether a test it was starting ran. Killed once the journal named
     * the test but before its process started: the test is aborted, never started twice. Killed
     * after the process started but before its pid was written: it is aborted unless its exit code
     * is already there when the next agent looks.
     */
    private static List<List<String>> expectedOutcomes(KillingWriter killer) {
        Journal onDisk = killer.afterWrite ? killer.killedAt : killer.lastWritten;
        if (onDisk == null || onDisk.testRunning() == null || onDisk.testPid() != null) {
            return List.of(OUTCOMES);
        }
        List<String> aborted = new ArrayList<>(OUTCOMES);
        aborted.set(onDisk.testRunning() - 1, onDisk.testRunning() + " aborted:null");
        boolean processStarted = !killer.afterWrite && killer.killedAt.testPid() != null;
        return processStarted ? List.of(OUTCOMES, aborted) : List.of(aborted);
    }

    /** The journal is plain JSON that a newer agent reads as an older one wrote it (phase names, instants). */
    @Test
    void theJournalReadsWhatAnEarlierAgentWrote() throws Exception {
        Files.writeString(root.resolve(JournalFile.FILE), """
                {
                  "request" : "r-9",
                  "phase" : "tests",
                  "started" : "2026-12-04T10:00:00.123Z",
                  "rebootCount" : 1,
                  "testRunning" : 2,
                  "tests" : [ { "index" : 1, "name" : "smoke", "outcome" : "pass", "exitCode" : 0,
                                "finished" : "2026-12-04T10:01:00Z", "logs" : [ "logs/1-smoke.stdout" ] } ],
                  "finished" : [ "r-3" ],
                  "seq" : 17,
                  "someFieldOfALaterVersion" : true
                }
                """, StandardCharsets.UTF_8);
        Journal journal = JournalFile.open(root).current();
        assertThat(journal.phase()).isEqualTo(Journal.Phase.TESTS);
        assertThat(journal.started()).isEqualTo(Instant.parse("2026-12-04T10:00:00.123Z"));
        assertThat(journal.tests()).singleElement().satisfies(t -> assertThat(t.logs()).containsExactly("logs/1-smoke.stdout"));
        assertThat(journal.hasFinished("r-3")).isTrue();
        assertThat(journal.testRunning()).isEqualTo(2);
        assertThat(journal.seq()).isEqualTo(17);
    }
}
