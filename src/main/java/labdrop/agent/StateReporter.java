package labdrop.agent;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import labdrop.drop.xml.DropXml;
import labdrop.drop.xml.StateDoc;
import labdrop.drop.xml.XmlFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code state_file} to the drop: only when something changed, or as the heartbeat while a
 * test runs. The sequence number goes into the journal before the report is sent, and the report
 * counts as sent only once written, so a report lost to a crash is sent again by the next poll.
 */
final class StateReporter {
    private static final Logger LOG = LoggerFactory.getLogger(StateReporter.class);

    private final RunContext context;
    private final JournalFile journal;
    private final DropTransport transport;
    private final TransportRetry retry;
    /** What stays on an Available host until resolved (a refused agent update), or null. */
    private final Supplier<String> standingMessage;
    private Instant lastWrite = Instant.EPOCH;

    StateReporter(RunContext context, JournalFile journal, DropTransport transport, TransportRetry retry,
                  Supplier<String> standingMessage) {
        this.context = context;
        this.journal = journal;
        this.transport = transport;
        this.retry = retry;
        this.standingMessage = standingMessage;
    }

    void report(String status, String request, String step, String message) throws IOException, InterruptedException {
        write(status, request, step, message, false);
    }

    /** Rewrites the state when {@code state.heartbeat} has passed since the last write. */
    void heartbeat(String status, String request, String step, String message) throws IOException, InterruptedException {
        if (Duration.between(lastWrite, context.now()).compareTo(context.config().stateHeartbeat()) >= 0) {
            write(status, request, step, message, true);
        }
    }

    private void write(String status, String request, String step, String message, boolean force)
            throws IOException, InterruptedException {
        if (message == null && "Available".equals(status)) {
            message = standingMessage.get();
        }
        String bootId = context.bootId();
        String key = status + "|" + request + "|" + step + "|" + message + "|" + bootId;
        if (!force && key.equals(journal.current().lastState())) {
            return;
        }
        StateDoc doc = new StateDoc();
        doc.host = context.config().host();
        doc.seq = Math.max(journal.current().seq() + 1, context.clock().millis());
        doc.updated = context.now();
        doc.status = status;
        doc.request = request;
        doc.step = step == null ? null : abbreviate(step, 200);
        doc.agentVersion = context.version();
        doc.bootId = abbreviate(bootId, 200);
        doc.message = message == null ? null : abbreviate(message, 2000);
        long seq = doc.seq;
        journal.update(j -> j.withSeq(seq));
        byte[] xml = DropXml.write(XmlFormat.STATE, doc);
        retry.run("write state_file", transport, () -> transport.writeState(xml));
        journal.update(j -> j.withLastState(key));
        lastWrite = context.now();
        LOG.info("state {}{}{}", status, request == null ? "" : " " + request, step == null ? "" : " (" + step + ")");
    }

    private static String abbreviate(String text, int max) {
        return text.length() > max ? text.substring(0, max - 3) + "..." : text;
    }
}
