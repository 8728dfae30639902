package labdrop.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the HTTP doorbell: a conditional GET of the host's generation tells whether
 * the drop changed since the agent last opened it, so an idle poll costs no SSH session. Every
 * {@code doorbell.safety-every} polls the answer is "open it" anyway.
 */
final class DoorbellClient {
    private static final Logger LOG = LoggerFactory.getLogger(DoorbellClient.class);
    /** The most of an answer's body read (the doorbell's JSON is under 100 bytes; the rest is dropped). */
    private static final int MAX_BODY = 4096;

    private final RunContext context;
    /** The daemon's held poll while it waits, so that {@link #abort()} can end it. */
    private volatile HttpURLConnection held;

    DoorbellClient(RunContext context) {
        this.context = context;
    }

    /**
     * One conditional GET: the status and the ETag. It goes through {@link HttpURLConnection}, which
     * sets up TLS only for an https URL, where the JDK's HttpClient loads the system's CAs, the TLS
     * stack and its own selector thread even for plain http: the quiet poll of {@code agent --once},
     * which a timer repeats all day, costs the SUT less CPU (docs/performance.md, "Quiet poll"),
     * and the daemon, which holds one poll at a time, idles in less memory ("Agent footprint").
     */
    private Answer get(URI url, String token, String etag, Duration readTimeout) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        if (connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(context.config().sslContext().getSocketFactory());
        }
        connection.setConnectTimeout((int) context.config().ssh().connectTimeout().toMillis());
        connection.setReadTimeout((int) readTimeout.toMillis());
        connection.setUseCaches(false);
        connection.setRequestProperty("Authorization", "Bearer " + token);
        if (etag != null) {
            connection.setRequestProperty("If-None-Match", etag);
        }
        held = connection;
        int status;
        String tag;
        try {
            status = connection.getResponseCode();
            tag = connection.getHeaderField("ETag");
            try (InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                if (body != null) {
                    body.readNBytes(MAX_BODY);
                }
            }
        } finally {
            held = null;
        }
        // the body read to its end, the connection goes back to the JDK's keep-alive cache
        return new Answer(status, tag == null ? etag : tag);
    }

    /**
     * True when the server answers 304 and the safety net is not due. Any other answer (a change,
     * an error, no doorbell configured) means: open the transport.
     */
    boolean quiet() throws IOException, InterruptedException {
        AgentConfig.Doorbell bell = context.config().doorbell();
        if (!bell.enabled()) {
            return false;
        }
        Path work = context.work();
        BellState state = BellState.read(work);
        if (state.quietPolls() + 1 >= bell.safetyEvery()) {
            new BellState(state.etag(), 0).write(work);
            return false;
        }
        try {
            String token = Files.readString(bell.tokenFile(), StandardCharsets.UTF_8).strip();
            Answer response = get(bell.url(), token, state.etag(), context.config().ssh().timeout());
            if (response.status() == 304) {
                new BellState(state.etag(), state.quietPolls() + 1).write(work);
                return true;
            }
            if (response.status() == 200) {
                new BellState(response.etag(), 0).write(work);
                return false;
            }
            LOG.warn("doorbell {} answered {}; polling the drop instead (check doorbell.token-file)",
                    bell.url(), response.status());
        } catch (IOException e) {
            LOG.warn("doorbell {} unreachable ({}); polling the drop instead", bell.url(), e.toString());
        }
        new BellState(state.etag(), 0).write(work);
        return false;
    }

    /** What a held poll answered: 200 (changed, with the new ETag), 304 (the wait ran out), or another status. */
    record Answer(int status, String etag) {
    }

    /**
     * Asks the server to hold a poll until the host's generation moves past {@code etag} (null: any)
     * or {@code hold} (whole seconds) runs out; the daemon's long-poll ({@link DoorbellListener}).
     */
    Answer waitForChange(String etag, Duration hold) throws IOException {
        AgentConfig.Doorbell bell = context.config().doorbell();
        String token = Files.readString(bell.tokenFile(), StandardCharsets.UTF_8).strip();
        URI url = bell.url();
        URI waiting = URI.create(url + (url.getRawQuery() == null ? "?" : "&") + "wait=" + hold.toSeconds());
        return get(waiting, token, etag, hold.plus(context.config().ssh().timeout()));
    }

    /** Ends a held poll now (the daemon stops): its connection is closed and the poll throws. */
    void abort() {
        HttpURLConnection connection = held;
        if (connection != null) {
            connection.disconnect();
        }
    }

    /** The ETag the last scheduled poll saw (null when none). */
    String lastEtag() {
        return BellState.read(context.work()).etag();
    }

    /**
     * The doorbell's last ETag and the quiet polls since the drop was last opened, in
     * {@code <work.dir>/doorbell.state}: replaced atomically but not fsynced, so a quiet poll costs
     * no disk flush; losing it to a power cut only moves the safety net.
     */
    record BellState(String etag, int quietPolls) {
        static final String FILE = "doorbell.state";

        static BellState read(Path work) {
            try {
                String[] lines = Files.readString(work.resolve(FILE), StandardCharsets.UTF_8).split("\n");
                return new BellState(lines[0].isEmpty() ? null : lines[0], Integer.parseInt(lines[1].strip()));
            } catch (IOException | RuntimeException missingOrTorn) {
                return new BellState(null, 0);
            }
        }

        void write(Path work) throws IOException {
            Path temp = work.resolve(FILE + ".tmp");
            Files.writeString(temp, (etag == null ? "" : etag) + "\n" + quietPolls + "\n", StandardCharsets.UTF_8);
            Files.move(temp, work.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
