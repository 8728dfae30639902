package labdrop.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import labdrop.admin.HostDraft;
import labdrop.config.ServerConfig;
import labdrop.host.Host;
import labdrop.host.HostTypes;
import labdrop.request.Pool;
import labdrop.request.Priority;
import labdrop.request.Request;
import labdrop.request.RequestSpec;
import labdrop.request.TestSpec;
import labdrop.store.KeyRows;
import labdrop.testing.TestClock;
import labdrop.transport.OpenSshServer;

/** A real server (Camel routes from routes/, Quartz, the drop watcher, the store) on a temp folder. */
public final class TestLab implements AutoCloseable {
    final TestClock clock = TestClock.real();
    public final ServerConfig config;
    public final ServerApp app;
    public final Services s;

    public TestLab(Path stateDir, String dbUrl) throws Exception {
        this(stateDir, dbUrl, Map.of());
    }

    public TestLab(Path stateDir, String dbUrl, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("LABDROP_STATE_DIR", stateDir.toString());
        env.put("LABDROP_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString());
        env.put("LABDROP_PLACER_INTERVAL", "200ms");
        env.put("LABDROP_HTTP_HOST", "127.0.0.1");
        env.put("LABDROP_HTTP_PORT", "0");
        env.put("LABDROP_SSH_HOST", "127.0.0.1");
        env.put("LABDROP_SSH_PORT", "0");
        env.put("LABDROP_INGEST_STABLE_AFTER", "3s");
        env.put("LABDROP_INGEST_CONFIG_SWEEP_INTERVAL", "1s");
        env.put("LABDROP_WATCHDOG_CRON", "0/1 * * * * ?");
        env.put("LABDROP_WATCHDOG_RESET_LOST_HOSTS", "true");
        if (dbUrl != null) {
            env.put("LABDROP_DB_URL", dbUrl);
        }
        env.putAll(extraEnv);
        config = ServerConfig.load(null, env);
        SamplePackages.publish(config.http().repositories().get("builtin"), "dbench");
        app = ServerApp.build(config, clock);
        app.start();
        s = app.services();
    }

    public Sut sut(String host) {
        return new Sut(config.dropDir(), host);
    }

    public Host host(String name) {
        return s.hosts().show(name);
    }

    public Request request(String id) {
        return s.desk().find(id);
    }

    public Host addActive(String name) {
        return s.hosts().add(new HostDraft(name, "default", "", null, false, true, null), "admin");
    }

    /** An active host of {@code type} (its host-types/ file is a copy of the default's) with {@code labels}. */
    public Host addTyped(String name, String type, String labels, String owner, boolean ownerOnly) throws IOException {
        Path typeFile = config.hostTypesDir().resolve(type);
        if (!Files.exists(typeFile)) {
            Files.copy(config.hostTypesDir().resolve(HostTypes.DEFAULT), typeFile);
        }
        return s.hosts().add(new HostDraft(name, type, labels, owner, ownerOnly, true, null), "admin");
    }

    /**
     * Gives {@code type} (created as a copy of the default type when missing) a health check: the
     * tests {@code tests}, run every {@code interval} (0: never by time) and after {@code afterErrors}
     * failed requests in a row.
     */
    public void healthCheckedType(String type, String tests, String interval, int afterErrors) throws IOException {
        Path typeFile = config.hostTypesDir().resolve(type);
        if (!Files.exists(typeFile)) {
            Files.copy(config.hostTypesDir().resolve(HostTypes.DEFAULT), typeFile);
        }
        Files.writeString(typeFile, Files.readString(typeFile)
                .replaceFirst("(?m)^health_check = .*$", "health_check = " + tests)
                .replaceFirst("(?m)^health_interval = .*$", "health_interval = " + interval)
                .replaceFirst("(?m)^health_after_errors = .*$", "health_after_errors = " + afterErrors));
    }

    /** Files a request for any host of {@code type} with every one of {@code labels}. */
    public Request filePool(String type, List<String> labels, String requester, Priority priority) {
        return s.desk().file(new RequestSpec(null, requester, List.of(TestSpec.parse("dbench")), priority,
                false, null, null, null, null, new Pool(type, labels)));
    }

    public Request file(String host, String requester, Priority priority) {
        return s.desk().file(new RequestSpec(host, requester, List.of(TestSpec.parse("dbench")), priority,
                false, null, null, null, null));
    }

    /** A host's login to the embedded SSH server: its private key and a known_hosts file pinning the server's key. */
    public record SshLogin(Path key, Path knownHosts) {
    }

    /** Makes an ed25519 key for {@code host} in {@code dir} (ssh-keygen), registers it, and pins the server's host key. */
    public SshLogin sshLogin(String host, Path dir) throws Exception {
        Path key = dir.resolve(host + "-key");
        OpenSshServer.run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
        s.keys().add(KeyRows.HOST, host, Files.readString(dir.resolve(host + "-key.pub")), "key", "admin");
        Path knownHosts = dir.resolve(host + "-known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + app.sshPort() + " "
                + Files.readString(config.ssh().hostKey().resolveSibling("ssh_host_ed25519_key.pub")));
        return new SshLogin(key, knownHosts);
    }

    @Override
    public void close() {
        app.close();
    }
}
