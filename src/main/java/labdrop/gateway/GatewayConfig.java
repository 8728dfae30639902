package labdrop.gateway;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import labdrop.config.ConfigException;
import labdrop.config.ConfigLoader;
import labdrop.config.LoadedConfig;
import labdrop.config.ServerConfig;
import labdrop.config.Setting;
import labdrop.drop.Names;

/**
 * The lab gateway's configuration, read from {@code gateway.conf} (conf/gateway.conf lists
 * exactly these keys): how it reaches the server (the lab's login, key and the server's host
 * key), where it keeps the lab's local drop and its own state, how often it syncs, and the
 * embedded SSH server its SUTs log in to (the server's {@code ssh.*} keys, with the same meaning).
 */
public record GatewayConfig(
        String lab,
        URI server,
        Upstream upstream,
        Bell bell,
        Path dropDir,
        Path stateDir,
        Path keysDir,
        Duration syncEvery,
        Duration safetyEvery,
        Http http,
        Cache cache,
        ServerConfig.Ssh ssh) {

    /**
     * The lab's doorbell over HTTP: the server's lab generation resource, the lab token's file, the
     * CAs trusted for https, and how long the SSH connection stays open after a sync. Without a URL
     * the gateway long-polls the doorbell on the SSH connection, which then stays open.
     */
    public record Bell(URI url, Path tokenFile, Path caFile, Duration linger) {
        public boolean overHttp() {
            return url != null;
        }
    }

    /** The gateway's HTTP server for its SUTs: the package cache, /readyz, /healthz, /metrics. */
    public record Http(String host, int port) {
    }

    /** The package cache: where, how big, how long one package's fetch from the server may take. */
    public record Cache(Path dir, long maxBytes, Duration fetchDeadline) {
    }

    /** The gateway's own login to the server: key, known hosts, timeouts. */
    public record Upstream(Path identity, Path knownHosts, boolean acceptNewHostKey, Duration connectTimeout,
                           Duration timeout, String rsyncPath, String sshPath) {
    }

    static final Setting<String> SERVER = Setting.text("server.url", "",
            "The server's SSH endpoint with this lab's login: sftp://LAB@SERVER:2222/ or rsync+ssh://LAB@SERVER:2222/"
                    + " (required; LAB is the name given to labdrop lab add, and the login's key is registered with labdrop lab"
                    + " key add).");
    static final Setting<String> RSYNC = Setting.text("server.rsync", "rsync", "The rsync binary of an rsync+ssh:// link.");
    static final Setting<String> SSH = Setting.text("server.ssh", "ssh",
            "The OpenSSH client of an rsync+ssh:// link (one master connection that every rsync call shares).");
    static final Setting<String> IDENTITY = Setting.text("server.identity", "",
            "The lab's private key (OpenSSH format); empty means <state.dir>/id_ed25519.");
    static final Setting<String> KNOWN_HOSTS = Setting.text("server.known-hosts", "",
            "known_hosts file the server's key is checked against; empty means <state.dir>/known_hosts.");
    static final Setting<Boolean> ACCEPT_NEW = Setting.bool("server.accept-new-host-key", false,
            "Pin an unknown server key on first use (like StrictHostKeyChecking=accept-new); a changed key is always refused.");
    static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("server.connect-timeout", "10s",
            "Connect timeout of the connection to the server.");
    static final Setting<Duration> IO_TIMEOUT = Setting.duration("server.timeout", "60s",
            "I/O timeout of every read and write on the connection to the server.");
    static final Setting<String> DOORBELL_URL = Setting.text("server.doorbell-url", "",
            "The server's doorbell for this lab over HTTP: http://SERVER:8080/api/v1/labs/LAB/generation. The gateway then"
                    + " opens its SSH connection only when something changed, a SUT wrote something or sync.safety-every passed."
                    + " Empty means the gateway long-polls the doorbell on its SSH connection, which stays open.");
    static final Setting<String> DOORBELL_TOKEN = Setting.text("server.doorbell-token-file", "",
            "File holding the lab's doorbell token (labdrop lab token LAB --file FILE on the server); read at every poll."
                    + " Empty means <state.dir>/lab.token.");
    static final Setting<String> CA_FILE = Setting.text("server.ca-file", "",
            "PEM file of the CAs trusted for an https:// server.doorbell-url; empty means the system's.");
    static final Setting<Duration> LINGER = Setting.duration("server.linger", "30s",
            "With server.doorbell-url, how long the SSH connection stays open after the last sync that used it (a burst of"
                    + " results pays one login, not one per file); the next change opens it again.");
    static final Setting<String> STATE_DIR = Setting.text("state.dir", "/var/lib/labdrop-gateway",
            "The gateway's own folder: what it synced (per host), its status, its SSH host key and audit log.");
    static final Setting<String> DROP_DIR = Setting.text("drop.dir", "",
            "The lab's local drop, one folder per host as on the server; its SUTs use file:///DROP/HOST or log in to the"
                    + " gateway's SSH server. Empty means <state.dir>/drop.");
    static final Setting<String> KEYS_DIR = Setting.text("ssh.keys-dir", "",
            "Folder of the SUTs' public keys: HOST.pub holds the keys (one per line, OpenSSH format) that may log in as"
                    + " HOST; read at every login. Empty means <state.dir>/keys.");
    static final Setting<Duration> SYNC_EVERY = Setting.duration("sync.every", "2s",
            "How often the gateway looks for what its SUTs wrote and syncs the hosts that have something to push or that"
                    + " the server's lab doorbell says changed (over one SSH connection).");
    static final Setting<Duration> SAFETY_EVERY = Setting.duration("sync.safety-every", "60s",
            "Every host is synced at least this often, whatever the doorbell says (and on every tick while the server has"
                    + " no lab doorbell or it is not answering).");

    static final Setting<String> HTTP_HOST = Setting.text("http.host", "0.0.0.0",
            "Address the gateway's HTTP server (package cache, /readyz, /metrics) listens on.");
    static final Setting<Integer> HTTP_PORT = Setting.integer("http.port", 0, 65535, 8080,
            "Port of the gateway's HTTP server; its SUTs fetch packages from http://GATEWAY:PORT/packages/gateway/."
                    + " 0 picks a free one.");
    static final Setting<String> CACHE_DIR = Setting.text("cache.dir", "",
            "The package cache (a package repository folder); empty means <state.dir>/packages.");
    static final Setting<Long> CACHE_MAX = Setting.bytes("cache.max-bytes", 10_737_418_240L,
            "Largest the package cache may grow; the least recently needed packages are removed first, never one that a"
                    + " request in the local drop still names.");
    static final Setting<Duration> CACHE_DEADLINE = Setting.duration("cache.fetch-deadline", "30m",
            "Longest one package's fetch from the server may take; a cut fetch resumes at the next sync.");

    private static final List<Setting<?>> OWN = List.of(SERVER, RSYNC, SSH, IDENTITY, KNOWN_HOSTS, ACCEPT_NEW, CONNECT_TIMEOUT,
            IO_TIMEOUT, DOORBELL_URL, DOORBELL_TOKEN, CA_FILE, LINGER, STATE_DIR, DROP_DIR, KEYS_DIR, SYNC_EVERY, SAFETY_EVERY,
            HTTP_HOST, HTTP_PORT, CACHE_DIR, CACHE_MAX, CACHE_DEADLINE);

    /** Every key gateway.conf may hold: the gateway's own, then the SSH server's. */
    public static final List<Setting<?>> SETTINGS = settings();

    private static List<Setting<?>> settings() {
        List<Setting<?>> all = new ArrayList<>(OWN);
        all.addAll(ServerConfig.SSH_SETTINGS);
        return List.copyOf(all);
    }

    public static GatewayConfig load(Path file, Map<String, String> env) {
        LoadedConfig c = ConfigLoader.load(file, SETTINGS, env);
        String where = file == null ? "the environment" : file.toString();
        URI server = serverUri(where, c.get(SERVER));
        Path state = Path.of(c.get(STATE_DIR)).toAbsolutePath().normalize();
        if (c.get(SYNC_EVERY).compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException(where + ": key 'sync.every' is " + c.get(SYNC_EVERY)
                    + "; give at least 100ms (each sync lists every host's folders on the server)");
        }
        return new GatewayConfig(server.getUserInfo(), server,
                new Upstream(orUnder(c.get(IDENTITY), state, "id_ed25519"), orUnder(c.get(KNOWN_HOSTS), state, "known_hosts"),
                        c.get(ACCEPT_NEW), c.get(CONNECT_TIMEOUT), c.get(IO_TIMEOUT), c.get(RSYNC), c.get(SSH)),
                new Bell(doorbellUri(where, c.get(DOORBELL_URL), server.getUserInfo()), orUnder(c.get(DOORBELL_TOKEN), state,
                        "lab.token"), c.get(CA_FILE).isEmpty() ? null : Path.of(c.get(CA_FILE)).toAbsolutePath(), c.get(LINGER)),
                orUnder(c.get(DROP_DIR), state, "drop"), state, orUnder(c.get(KEYS_DIR), state, "keys"), c.get(SYNC_EVERY),
                c.get(SAFETY_EVERY), new Http(c.get(HTTP_HOST), c.get(HTTP_PORT)),
                new Cache(orUnder(c.get(CACHE_DIR), state, "packages"), c.get(CACHE_MAX), c.get(CACHE_DEADLINE)),
                ServerConfig.ssh(c, state));
    }

    private static URI serverUri(String where, String text) {
        if (text.isEmpty()) {
            throw new ConfigException(where + ": key 'server.url' is empty; set it to sftp://LAB@SERVER:2222/ (or"
                    + " rsync+ssh://LAB@SERVER:2222/) with the name of this lab on the server (labdrop lab add)");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(where + ": key 'server.url' is not a URL (" + e.getMessage() + ")");
        }
        if (!List.of("sftp", "rsync+ssh").contains(String.valueOf(uri.getScheme())) || uri.getHost() == null
                || uri.getUserInfo() == null) {
            throw new ConfigException(where + ": key 'server.url' '" + text + "' must be sftp://LAB@SERVER:PORT/ or"
                    + " rsync+ssh://LAB@SERVER:PORT/ (the lab's login on the server's SSH server)");
        }
        if (!Names.isValid(uri.getUserInfo())) {
            throw new ConfigException(where + ": key 'server.url': '" + uri.getUserInfo() + "' is not a lab name"
                    + " (" + Names.RULE + ")");
        }
        return uri;
    }

    /** server.doorbell-url: empty (none), or http(s)://SERVER/api/v1/labs/LAB/generation of this lab. */
    private static URI doorbellUri(String where, String text, String lab) {
        if (text.isEmpty()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(where + ": key 'server.doorbell-url' is not a URL (" + e.getMessage() + ")");
        }
        String suffix = "/api/v1/labs/" + lab + "/generation";
        if (!List.of("http", "https").contains(String.valueOf(uri.getScheme())) || uri.getHost() == null
                || uri.getPath() == null || !uri.getPath().endsWith(suffix) || uri.getRawQuery() != null) {
            throw new ConfigException(where + ": key 'server.doorbell-url' '" + text + "' must be http(s)://SERVER:PORT"
                    + suffix + " (the doorbell of lab '" + lab + "', the login of server.url)");
        }
        return uri;
    }

    private static Path orUnder(String value, Path state, String name) {
        return value.isEmpty() ? state.resolve(name) : Path.of(value).toAbsolutePath().normalize();
    }
}
