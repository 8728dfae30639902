package labdrop.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import labdrop.error.BadInputException;
import labdrop.queue.Doorbell;
import labdrop.queue.Generations;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.session.ServerSession;

/**
 * {@code labdrop-doorbell WAIT TAG}: a lab gateway's long-poll of its lab's doorbell, on a channel
 * of the SSH connection it keeps anyway, so a firewalled lab needs no HTTP egress and no token
 * (its login is the proof). Answered at once when the lab's tag is not {@code TAG} ({@code -}: the
 * gateway has none yet), else held without a thread until one of the lab's hosts changes or
 * {@code WAIT} seconds (at most 55) pass. The answer is {@code tag T}, then one line per host:
 * {@code host NAME GENERATION TOKEN-SHA256} ({@code -} when the host has no doorbell token).
 */
final class DoorbellCommand extends ExecCommand {
    static final String NAME = "labdrop-doorbell";
    private final Doorbell doorbell;
    private volatile Generations.HeldPoll held;

    DoorbellCommand(String commandLine, Sessions sessions, Doorbell doorbell) {
        super(commandLine, sessions);
        this.doorbell = doorbell;
    }

    static boolean matches(String commandLine) {
        return commandLine.startsWith(NAME + " ");
    }

    /** What was asked: how long to hold, and the tag the gateway has. */
    record Asked(Duration hold, String tag) {
    }

    static Asked parse(String commandLine) {
        String[] words = commandLine.strip().split(" ");
        if (words.length != 3 || !words[0].equals(NAME)) {
            throw new BadInputException("usage: " + NAME + " WAIT TAG");
        }
        if (!words[1].matches("[0-9]{1,2}") || Integer.parseInt(words[1]) > Doorbell.MAX_WAIT.toSeconds()) {
            throw new BadInputException("wait '" + words[1] + "' is not whole seconds from 0 to " + Doorbell.MAX_WAIT.toSeconds());
        }
        if (!words[2].equals("-") && !words[2].matches("[0-9a-f]{16}")) {
            throw new BadInputException("'" + words[2] + "' is not a doorbell tag (16 hex digits, or - for none)");
        }
        return new Asked(Duration.ofSeconds(Integer.parseInt(words[1])), words[2]);
    }

    /** The answer's text. */
    static String text(Doorbell.LabBell bell) {
        StringBuilder out = new StringBuilder("tag ").append(bell.tag()).append('\n');
        bell.generations().forEach((host, generation) -> {
            String token = bell.tokenHashes().get(host);
            out.append("host ").append(host).append(' ').append(generation).append(' ')
                    .append(token == null || token.isEmpty() ? "-" : token).append('\n');
        });
        return out.toString();
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        ServerSession session = channel.getServerSession();
        Login login;
        Asked asked;
        try {
            login = sessions.jail(session).login();
            if (!login.isLab() || doorbell == null) {
                throw new BadInputException("only a lab gateway's login reads a lab's doorbell over ssh; a SUT polls"
                        + " its host's doorbell over HTTP (doorbell.url)");
            }
            asked = parse(commandLine);
        } catch (BadInputException | IOException e) {
            refuse(session, e.getMessage(), 2);
            return;
        }
        Optional<? extends Generations.HeldPoll> poll = doorbell.holdLab(login.user(), login::hosts, asked.tag(), asked.hold(),
                this::answer);
        if (poll.isEmpty()) {
            refuse(session, "too many doorbell polls are held for lab '" + login.user() + "' (" + Doorbell.MAX_HELD_PER_HOST
                    + " at most); poll again later", 3);
            return;
        }
        held = poll.get();
    }

    private void answer(Doorbell.LabBell bell) {
        try {
            out.write(text(bell).getBytes(StandardCharsets.UTF_8));
            out.flush();
            exit.onExit(0);
        } catch (IOException gone) {
            exit.onExit(1, "the gateway went away");
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        Generations.HeldPoll poll = held;
        if (poll != null) {
            poll.cancel();
        }
    }
}
