package labdrop.gateway;

import java.io.IOException;
import java.time.Duration;

/**
 * One poll of the lab's doorbell on the server: over the SSH connection the gateway keeps
 * ({@link SshLabPoll}) or over HTTP with the lab's token ({@link HttpLabPoll}).
 */
interface LabPoll {
    /**
     * The lab's doorbell once its tag is other than {@code tag} ({@code -}: the gateway has none), or
     * once {@code hold} passed; null when it passed and the server says only "unchanged".
     */
    LabDoorbell.Answer poll(String tag, Duration hold) throws IOException, InterruptedException;

    /** Ends a poll the server holds (the gateway stops). */
    void abort();

    /** The server has no lab doorbell (older than the gateway): the gateway syncs every host on every tick. */
    final class Unsupported extends IOException {
        Unsupported(String message) {
            super(message);
        }
    }

    /** The server holds as many of this lab's polls as it allows (an old poll is still held): ask again shortly. */
    final class Busy extends IOException {
        Busy(String message) {
            super(message);
        }
    }

    /** The server refused the lab's credential: logged once, asked again after a longer pause. */
    final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }
}
