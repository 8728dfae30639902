package labdrop.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import labdrop.drop.AtomicFiles;
import labdrop.drop.Names;
import labdrop.drop.SafeRead;
import labdrop.error.BadInputException;
import labdrop.host.AgentRelease;
import labdrop.host.Directions;
import labdrop.lab.Lab;
import labdrop.queue.Doorbell;
import labdrop.store.ConfigRows;
import labdrop.store.HostRows;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the history of every file in each host's config/ folder. The files are the truth,
 * edited through the server ({@link #write}) or directly on disk ({@link #changed}, called by the
 * config-changed route): each new content is validated and recorded with its time and author;
 * an invalid file is recorded as such and shown on the host, never silently taken as good.
 */
public final class ConfigWatch {
    static final String DISK_AUTHOR = "disk";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatch.class);
    private final Lab lab;
    private final long maxBytes;
    private final Doorbell doorbell;

    public ConfigWatch(Lab lab, long maxBytes, Doorbell doorbell) {
        this.lab = lab;
        this.maxBytes = maxBytes;
        this.doorbell = doorbell;
    }

    /** A file under {@code <host>/config/} changed or vanished on disk. */
    public void changed(String host, String file) {
        if (!Names.isValid(host) || !Names.isValid(file)) {
            return;
        }
        Path path = lab.drop().configFile(host, file);
        String content;
        List<String> problems;
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                content = decode(SafeRead.read(lab.drop().root(), path, maxBytes), path);
                problems = validate(host, file, content);
            } else {
                content = null;
                problems = List.of();
            }
        } catch (BadInputException e) {
            content = null;
            problems = List.of(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("host '" + host + "': cannot read config/" + file, e);
        }
        String finalContent = content;
        List<String> finalProblems = problems;
        lab.store().tx(h -> {
            if (HostRows.lock(h, host).isEmpty()) {
                return null;
            }
            Optional<ConfigRows.Version> latest = ConfigRows.latest(h, host, file);
            boolean same = latest.isPresent() && Objects.equals(latest.get().content(), finalContent)
                    && latest.get().valid() == finalProblems.isEmpty();
            if (same || latest.isEmpty() && finalContent == null) {
                return null;
            }
            ConfigRows.add(h, host, file, lab.now(), DISK_AUTHOR, finalContent, finalProblems.isEmpty(),
                    finalProblems.isEmpty() ? null : String.join("; ", finalProblems));
            doorbell.ring(h, host);
            if (finalProblems.isEmpty()) {
                LOG.info("host '{}': config/{} {} on disk", host, file, finalContent == null ? "deleted" : "changed");
            } else {
                LOG.warn("host '{}': config/{} is invalid and flagged: {}", host, file, finalProblems);
            }
            return null;
        });
    }

    /** Validates and, when valid, writes the file atomically and records it; call with the host locked. */
    public ConfigRows.Version write(Handle h, String host, String file, String content, String author) {
        Names.require("config file name", file);
        if (content.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new BadInputException("config/" + file + " is over the cap of " + maxBytes + " bytes");
        }
        List<String> problems = validate(host, file, content);
        String joined = problems.isEmpty() ? null : String.join("; ", problems);
        ConfigRows.Version version = new ConfigRows.Version(0, host, file, lab.now(), author, content,
                problems.isEmpty(), joined);
        if (problems.isEmpty()) {
            try {
                AtomicFiles.write(lab.drop().configFile(host, file), content.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("host '" + host + "': cannot write config/" + file, e);
            }
            ConfigRows.add(h, host, file, version.at(), author, content, true, null);
            doorbell.ring(h, host);
        }
        return version;
    }

    static List<String> validate(String host, String file, String content) {
        if ("directions".equals(file)) {
            return Directions.parse(host + "/config/directions", content).problems();
        }
        if (AgentRelease.CONFIG_FILE.equals(file)) {
            try {
                AgentRelease.parse(content, host + "/config/" + file);
            } catch (BadInputException e) {
                return List.of(e.getMessage());
            }
        }
        if (content.indexOf('\0') >= 0) {
            return List.of(host + "/config/" + file + " contains a NUL byte; config files are text");
        }
        return List.of();
    }

    private static String decode(byte[] bytes, Path path) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(path + " is not UTF-8 text; config files are UTF-8 text");
        }
    }
}
