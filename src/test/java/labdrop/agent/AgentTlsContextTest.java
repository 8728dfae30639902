package labdrop.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import labdrop.config.ConfigException;
import labdrop.pkg.FetchPolicy;
import labdrop.retry.Backoff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent builds a TLS context only for an https:// fetch: a run whose packages come over
 * http:// neither pays for it (0.2 s and 200 classes under C1) nor fails on an http.ca-file it
 * does not use.
 */
class AgentTlsContextTest {

    @Test
    void theFetchPolicyIsMadeWithoutTheTlsContextWhichIsBuiltWhenAnHttpsFetchAsksForIt(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        Path conf = Files.writeString(dir.resolve("agent.conf"),
                "host = sut-01\ndrop.url = file:///srv/drop/sut-01\nhttp.ca-file = " + ca + "\n");
        AgentConfig config = AgentConfig.load(conf, Map.of());

        FetchPolicy policy = config.fetchPolicy(Backoff.THREAD_SLEEP);

        assertThat(policy.tls()).isNotNull();
        assertThatThrownBy(() -> policy.tls().get()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.ca-file " + ca).hasMessageContaining("readable PEM file");
    }
}
