package labdrop.ssh;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import labdrop.error.BadInputException;
import labdrop.pkg.Manifest;
import labdrop.pkg.PackageFile;
import labdrop.pkg.Repository;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.session.ServerSession;

/**
 * {@code labdrop-package FILE SHA256 OFFSET}: a lab gateway fetches one package of the server's
 * repositories over its own SSH login, so a firewalled lab needs no second connection for its
 * package cache (docs/gateway.md). Only lab logins may ask; the file must be listed in a
 * repository's manifest with exactly that SHA-256 (what a request pinned), and its bytes from
 * {@code OFFSET} (a resumed download) are written to the channel. A refusal is one line on
 * standard error and exit code 2; every download is audited ({@code package}).
 */
final class PackageCommand extends ExecCommand {
    static final String NAME = "labdrop-package";
    private final Map<String, Path> repositories;
    private Thread sender;

    PackageCommand(String commandLine, Sessions sessions, Map<String, Path> repositories) {
        super(commandLine, sessions);
        this.repositories = repositories;
    }

    static boolean matches(String commandLine) {
        return commandLine.startsWith(NAME + " ");
    }

    /** What was asked for: a package file, its pinned SHA-256, and where to start. */
    record Asked(String file, String sha256, long offset) {
    }

    /** Parses the command line; anything but exactly the three words of the rule is refused. */
    static Asked parse(String commandLine) {
        String[] words = commandLine.strip().split(" ");
        if (words.length != 4 || !words[0].equals(NAME)) {
            throw new BadInputException("usage: " + NAME + " FILE SHA256 OFFSET");
        }
        PackageFile.parse(words[1]);
        if (!words[2].matches("[0-9a-f]{64}")) {
            throw new BadInputException("'" + words[2] + "' is not a SHA-256 (64 lower-case hex digits)");
        }
        if (!words[3].matches("[0-9]{1,18}")) {
            throw new BadInputException("'" + words[3] + "' is not a byte offset");
        }
        return new Asked(words[1], words[2], Long.parseLong(words[3]));
    }

    /** The repository file listed under {@code file} with {@code sha256}, if any repository has it. */
    static Optional<Path> find(Map<String, Path> repositories, String file, String sha256) throws IOException {
        for (Path dir : repositories.values()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            Manifest.Entry entry = new Repository(dir).manifest().entries().get(file);
            Path path = dir.resolve(file);
            if (entry != null && sha256.equals(entry.sha256()) && Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        ServerSession session = channel.getServerSession();
        Path file;
        long offset;
        try {
            if (!sessions.jail(session).login().isLab()) {
                throw new BadInputException("only a lab gateway's login fetches packages over ssh; a SUT fetches them"
                        + " over HTTP from the repositories in its fetch.locations");
            }
            Asked asked = parse(commandLine);
            file = find(repositories, asked.file(), asked.sha256()).orElseThrow(() -> new BadInputException(
                    "no repository of this server lists " + asked.file() + " with SHA-256 " + asked.sha256()));
            if (asked.offset() > Files.size(file)) {
                throw new BadInputException("offset " + asked.offset() + " is past the end of " + asked.file());
            }
            offset = asked.offset();
        } catch (BadInputException | IOException e) {
            refuse(session, e.getMessage(), 2);
            return;
        }
        sessions.audit(session, "package", file.getFileName() + " from " + offset);
        sender = new Thread(() -> {
            try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                source.position(offset);
                Channels.newInputStream(source).transferTo(out);
                out.flush();
                exit.onExit(0);
            } catch (IOException e) {
                exit.onExit(1, e.getMessage());
            }
        }, "labdrop-package-out");
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (sender != null) {
            sender.interrupt();
        }
    }
}
