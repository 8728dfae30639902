package labdrop.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import labdrop.config.ServerConfig;
import labdrop.tls.TlsKeys;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.InetAddressSet;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one HTTP connector: plain, or HTTPS from {@code http.tls.*} (the key and
 * certificate reloaded within {@link #RELOAD_CHECK} of a change, so a renewed certificate needs no
 * restart); {@code Forwarded}/{@code X-Forwarded-*} are believed only from {@code http.trusted-proxies}.
 */
final class Connectors {
    static final Duration RELOAD_CHECK = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(Connectors.class);

    private Connectors() {
    }

    /**
     * HTTP/1.1 with 4 KiB input buffers instead of Jetty's 8 KiB: a held doorbell poll keeps its
     * connection's buffer (80 MiB of direct memory at 10,000 held polls with 8 KiB), and every
     * request labdrop reads fits in 4 KiB or is read in pieces anyway (headers up to Jetty's 8 KiB
     * limit are parsed across reads; bodies are streamed).
     */
    private static HttpConnectionFactory httpFactory(HttpConfiguration http) {
        HttpConnectionFactory factory = new HttpConnectionFactory(http);
        factory.setInputBufferSize(INPUT_BUFFER);
        return factory;
    }

    static final int INPUT_BUFFER = 4096;
    /**
     * No acceptor thread: the selector accepts (the listening socket registered for OP_ACCEPT,
     * non-blocking), so a new connection is not handed from a blocked acceptor thread to the
     * selector. Agents that poll on a new connection each time cost the server about a fifth less
     * CPU a poll (docs/performance.md, "Doorbell through HAProxy").
     */
    private static final int ACCEPTORS = 0;
    /** Jetty's default count of selector threads (half the cores, at least one). */
    private static final int SELECTORS = -1;

    static ServerConnector create(Server server, String host, int port, ServerConfig.Tls tls, List<String> trustedProxies)
            throws IOException {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // Jetty keeps a cache of header fields per connection (a trie of about 95 KB): with 10,000
        // agents holding long-polls that was 0.95 GB of heap for a saving of a few small objects a
        // request (docs/performance.md, "Waiting agents")
        http.setHeaderCacheSize(0);
        if (!trustedProxies.isEmpty()) {
            http.addCustomizer(new FromTrustedProxies(trustedProxies));
        }
        ServerConnector connector;
        if (tls.enabled()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(keyStore(tls));
            ssl.setKeyStorePassword(new String(TlsKeys.NO_PASSWORD));
            if (tls.keystore() != null) {
                ssl.setKeyStorePassword(tls.keystorePassword());
            }
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            connector = new ServerConnector(server, ACCEPTORS, SELECTORS, new SslConnectionFactory(ssl, "http/1.1"), httpFactory(http));
            reloadOnChange(server, ssl, tls);
        } else {
            connector = new ServerConnector(server, ACCEPTORS, SELECTORS, httpFactory(http));
        }
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    private static KeyStore keyStore(ServerConfig.Tls tls) throws IOException {
        return tls.keystore() != null ? TlsKeys.fromPkcs12(tls.keystore(), tls.keystorePassword().toCharArray())
                : TlsKeys.fromPem(tls.certificate(), tls.key());
    }

    /** Checks the files' times and sizes every {@link #RELOAD_CHECK}; on a change loads them and swaps the context. */
    private static void reloadOnChange(Server server, SslContextFactory.Server ssl, ServerConfig.Tls tls) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labdrop-tls-reload");
            t.setDaemon(true);
            return t;
        });
        String[] seen = {stamp(tls)};
        timer.scheduleWithFixedDelay(() -> {
            String now = stamp(tls);
            if (now.equals(seen[0])) {
                return;
            }
            try {
                KeyStore fresh = keyStore(tls);
                ssl.reload(f -> f.setKeyStore(fresh));
                seen[0] = now;
                LOG.info("reloaded the HTTPS certificate from {}", tls.keystore() != null ? tls.keystore() : tls.certificate());
            } catch (Exception e) {
                LOG.warn("the changed HTTPS certificate cannot be used yet ({}); the previous one stays in service",
                        e.getMessage());
            }
        }, RELOAD_CHECK.toMillis(), RELOAD_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopping(LifeCycle event) {
                timer.shutdownNow();
            }
        });
    }

    private static String stamp(ServerConfig.Tls tls) {
        return String.join("|", Stream.of(tls.certificate(), tls.key(), tls.keystore()).filter(Objects::nonNull)
                .map(Connectors::stamp).toList());
    }

    private static String stamp(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file);
        } catch (IOException e) {
            return "missing";
        }
    }

    /** Applies Forwarded and X-Forwarded-* only to connections from a trusted proxy. */
    private static final class FromTrustedProxies implements HttpConfiguration.Customizer {
        private final InetAddressSet trusted = new InetAddressSet();
        private final ForwardedRequestCustomizer forwarded = new ForwardedRequestCustomizer();

        FromTrustedProxies(List<String> proxies) {
            for (String proxy : proxies) {
                try {
                    trusted.add(proxy);
                } catch (IllegalArgumentException e) {
                    throw new UncheckedIOException(new IOException("http.trusted-proxies: '" + proxy
                            + "' is not an address or a CIDR range (" + e.getMessage() + ")"));
                }
            }
        }

        @Override
        public Request customize(Request request, HttpFields.Mutable responseHeaders) {
            SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
            if (remote instanceof InetSocketAddress inet && trusted.test(inet.getAddress())) {
                return forwarded.customize(request, responseHeaders);
            }
            return request;
        }
    }
}
