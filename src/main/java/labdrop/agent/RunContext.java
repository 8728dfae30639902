package labdrop.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Random;
import labdrop.pkg.FetchPolicy;
import labdrop.pkg.Fetcher;
import labdrop.retry.Backoff.Sleeper;

/**
 * What an agent and its runs take from outside: agent.conf, the clock, the sleeper every wait goes
 * through, the random source of backoff jitter, and the folders under {@code work.dir}. Tests give
 * their own clock and sleeper, so a whole run needs no real waiting.
 */
record RunContext(AgentConfig config, Clock clock, Sleeper sleeper, Random random, String version) {

    /** The folder a poll mirrors the host folder into. */
    Path mirror() {
        return work().resolve("mirror");
    }

    Path work() {
        return config.workDir();
    }

    /** Where packages are installed ({@code tests/<name>}, ...). */
    Path installRoot() {
        return work().resolve("install");
    }

    /** Where fetched tarballs wait to be verified and installed. */
    Path cache() {
        return work().resolve("cache");
    }

    /** One request's folder: {@code request.xml}, the tests' working folders and {@code results/}. */
    Path runDir(String request) {
        return work().resolve("runs").resolve(request);
    }

    /** What is pushed to {@code results/<id>/} in the drop. */
    Path resultsDir(String request) {
        return runDir(request).resolve("results");
    }

    Instant now() {
        return clock.instant();
    }

    /** The content of {@code reboot.boot-id-file}: it changes on every boot. */
    String bootId() {
        try {
            return Files.readString(config.reboot().bootIdFile(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A fetcher with agent.conf's policy, waiting between attempts with this context's sleeper. */
    Fetcher fetcher() {
        FetchPolicy policy = config.fetchPolicy(sleeper);
        return new Fetcher(policy, random);
    }
}
