package labdrop.ingest;

import java.util.Map;
import org.apache.camel.ProducerTemplate;

/**
 * Feeds the drop's changes, as {@link DropWatcher} sees them, to the ingest routes of
 * {@code routes/server.yaml}: {@code direct:state-changed}, {@code direct:result-changed} and
 * {@code direct:config-changed}. The routes name this class as their source.
 */
public final class RouteFeed implements DropWatcher.Listener {
    public static final String STATE_CHANGED = "direct:state-changed";
    public static final String RESULT_CHANGED = "direct:result-changed";
    public static final String CONFIG_CHANGED = "direct:config-changed";

    private final ProducerTemplate producer;

    public RouteFeed(ProducerTemplate producer) {
        this.producer = producer;
    }

    @Override
    public void stateChanged(String host) {
        producer.sendBodyAndHeader(STATE_CHANGED, null, "host", host);
    }

    @Override
    public void resultChanged(String host, String requestId) {
        producer.sendBodyAndHeaders(RESULT_CHANGED, null, Map.of("host", host, "request", requestId));
    }

    @Override
    public void configChanged(String host, String file) {
        producer.sendBodyAndHeaders(CONFIG_CHANGED, null, Map.of("host", host, "file", file));
    }
}
