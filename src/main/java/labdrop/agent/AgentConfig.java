package labdrop.agent;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import labdrop.config.ConfigException;
import labdrop.config.ConfigLoader;
import labdrop.config.Durations;
import labdrop.config.LoadedConfig;
import labdrop.config.Setting;
import labdrop.drop.Names;
import labdrop.error.BadInputException;
import labdrop.host.Directions;
import labdrop.pkg.FetchPolicy;
import labdrop.retry.Backoff;
import labdrop.schedule.Crons;
import labdrop.tls.TlsKeys;

/**
 * The agent's configuration, read from {@code agent.conf} (conf/agent.conf lists exactly these
 * keys). The direction keys ({@code auto_retrieve}, {@code accept_from}, …) are the agent's own
 * defaults; the host's {@code config/directions} in the drop overrides them.
 */
public record AgentConfig(
        String host,
        String owner,
        URI drop,
        Ssh ssh,
        Path workDir,
        List<URI> fetchLocations,
        Fetch fetch,
        String cron,
        Duration jitter,
        Doorbell doorbell,
        Reboot reboot,
        Duration testTimeout,
        int testOomScoreAdj,
        Duration logPushInterval,
        Duration stateHeartbeat,
        int attempts,
        Duration backoff,
        String logFormat,
        int daemonMaxIdleMib,
        Duration daemonAfreshAfterIdle,
        Map<String, String> directionDefaults) {

    /** Key, known hosts and timeouts of the sftp:// and rsync+ssh:// transports. */
    public record Ssh(Path identity, Path knownHosts, boolean acceptNewHostKey, Duration connectTimeout,
                      Duration timeout, String rsyncPath, String sshPath) {
    }

    /**
     * Bounds on what a package repository (possibly a tester's own) may make the agent read: the
     * longest a whole HTTP file read may take, and the largest index ({@code packages.checksum}).
     */
    public record Fetch(Duration deadline, long maxIndexBytes, Path caFile) {
    }

    /**
     * The TLS context of the agent's HTTPS clients (doorbell, packages, releases): the CAs of
     * {@code http.ca-file} when set, else the system's.
     */
    public SSLContext sslContext() {
        try {
            if (fetch.caFile() == null) {
                return SSLContext.getDefault();
            }
            return TlsKeys.trusting(fetch.caFile());
        } catch (IOException | GeneralSecurityException | BadInputException e) {
            throw new ConfigException("http.ca-file " + fetch.caFile() + ": " + e.getMessage()
                    + "; give a readable PEM file of the CA certificates that signed the server's");
        }
    }

    /**
     * The fetch policy of package and release downloads: this config's timeouts, attempts and
     * bounds; waits with {@code sleeper}; builds the TLS context only for an https:// location.
     */
    public FetchPolicy fetchPolicy(Backoff.Sleeper sleeper) {
        return new FetchPolicy(ssh.connectTimeout(), ssh.timeout(), fetch.deadline(), fetch.maxIndexBytes(), attempts,
                backoff, sleeper).over(this::sslContext);
    }

    /**
     * The HTTP doorbell: the host's generation resource, the token file, the ssh safety net, and how
     * long the daemon asks the server to hold its poll (zero: the daemon does not long-poll).
     */
    public record Doorbell(URI url, Path tokenFile, int safetyEvery, Duration hold) {
        public boolean enabled() {
            return url != null;
        }

        /** The daemon waits on the doorbell between its scheduled polls. */
        public boolean longPolls() {
            return enabled() && !hold.isZero();
        }
    }

    /** How the SUT reboots itself, how it proves it did, and the loop cap. */
    public record Reboot(String command, Path bootIdFile, int max) {
    }

    static final Setting<String> HOST = Setting.text("host", "",
            "This SUT's host name as registered on the server (required).");
    static final Setting<String> OWNER = Setting.text("owner", "",
            "This SUT's owner (a user name); accept_from = owner runs only their requests.");
    static final Setting<String> DROP = Setting.text("drop.url", "",
            "This host's folder in the drop: file:///srv/labdrop/drop/HOST, sftp://HOST@SERVER:2222/"
                    + " or rsync+ssh://HOST@SERVER:2222/ (required).");
    static final Setting<String> IDENTITY = Setting.text("ssh.identity", "",
            "Private key for sftp:// and rsync+ssh:// (OpenSSH format); empty means <work.dir>/id_ed25519.");
    static final Setting<String> KNOWN_HOSTS = Setting.text("ssh.known-hosts", "",
            "known_hosts file the server's key is checked against; empty means <work.dir>/known_hosts.");
    static final Setting<Boolean> ACCEPT_NEW = Setting.bool("ssh.accept-new-host-key", false,
            "Pin an unknown server key on first use (like StrictHostKeyChecking=accept-new); a changed key is always refused.");
    static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("ssh.connect-timeout", "10s",
            "Connect timeout of every ssh, sftp and HTTP connection.");
    static final Setting<Duration> IO_TIMEOUT = Setting.duration("ssh.timeout", "60s",
            "I/O timeout: rsync --timeout, sftp reads and writes, HTTP reads.");
    static final Setting<String> RSYNC = Setting.text("ssh.rsync", "rsync", "The rsync binary.");
    static final Setting<String> SSH = Setting.text("ssh.ssh", "ssh", "The ssh binary rsync runs.");
    static final Setting<String> WORK_DIR = Setting.text("work.dir", "/var/lib/labdrop-agent",
            "The agent's folder: lock, journal, installed packages, results being written.");
    static final Setting<String> FETCH = Setting.text("fetch.locations", "",
            "Package repositories, comma-separated http://, https:// or file:// URLs, tried in order after the"
                    + " request's own repository; the directions' fetch_location replaces them.");
    static final Setting<Duration> FETCH_DEADLINE = Setting.duration("fetch.deadline", "30m",
            "Longest one HTTP file read (a package, packages.checksum) may take in all; a slower repository is given up."
                    + " A read that sends nothing for ssh.timeout is given up sooner.");
    static final Setting<Long> FETCH_MAX_INDEX = Setting.bytes("fetch.max-index-bytes", 8_388_608,
            "Largest packages.checksum read from a repository; a larger one is refused (the repository is skipped).");
    static final Setting<String> CA_FILE = Setting.text("http.ca-file", "",
            "PEM file of the CAs the agent trusts for https:// (doorbell, packages, releases); empty means the system's.");
    static final Setting<String> CRON = new Setting<>("schedule.cron", "0 0/2 * * * ?",
            "Quartz cron of the scheduled poll (labdrop agent without --once).", Crons.DESCRIBE, Crons::check);
    static final Setting<Duration> JITTER = Setting.duration("schedule.jitter", "30s",
            "Each poll waits a random time up to this first, so a lab's SUTs do not poll in lock-step.");
    static final Setting<String> DOORBELL = Setting.text("doorbell.url", "",
            "The server's generation resource for this host (http://SERVER:8080/api/v1/hosts/HOST/generation);"
                    + " empty means every poll opens the transport.");
    static final Setting<String> DOORBELL_TOKEN = Setting.text("doorbell.token-file", "",
            "File holding this host's doorbell token (labdrop host token HOST); empty means <work.dir>/doorbell.token.");
    static final Setting<Integer> SAFETY = Setting.integer("doorbell.safety-every", 1, 10_000, 10,
            "Open the transport at least every this many polls even when the doorbell says nothing changed.");
    /** The longest a labdrop server holds a doorbell poll (docs/api.md). */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(55);
    static final Setting<Duration> DOORBELL_WAIT = new Setting<>("doorbell.wait", "55s",
            "The daemon keeps a poll of the doorbell open for up to this long between its scheduled polls and polls at once"
                    + " when the server answers that something changed, so filed work starts within a second; 0s turns it off."
                    + " Keep it below the idle timeout of any proxy between the SUT and the server (a poll that a proxy cuts"
                    + " anyway lowers the wait by itself; docs/agent.md).",
            "a duration from 0s to 55s", text -> {
                Duration wait = Durations.parse(text);
                if (wait.isNegative() || wait.compareTo(LONGEST_WAIT) > 0) {
                    throw new IllegalArgumentException("out of range");
                }
                return wait;
            });
    static final Setting<String> REBOOT_COMMAND = Setting.text("reboot.command", "systemctl reboot",
            "Command (run with /bin/sh -c) that reboots the SUT.");
    static final Setting<String> BOOT_ID = Setting.text("reboot.boot-id-file", "/proc/sys/kernel/random/boot_id",
            "File whose content changes on every boot; proves that a reboot happened.");
    static final Setting<Integer> MAX_REBOOTS = Setting.integer("reboot.max", 0, 100, 3,
            "Most reboots one request may cause; one more is a reboot loop and aborts the test.");
    static final Setting<Duration> TEST_TIMEOUT = Setting.duration("test.timeout", "1h",
            "Timeout of a test whose request gives none.");
    static final Setting<Integer> TEST_OOM = Setting.integer("test.oom-score-adj", -1000, 1000, 0,
            "oom_score_adj every test starts with, whatever the agent's own (the units protect the agent with -900,"
                    + " which children would inherit); 0 leaves a memory-hungry test the OOM killer's choice.");
    static final Setting<Duration> LOG_PUSH = Setting.duration("log.push-interval", "10s",
            "While a test runs its logs are pushed to the drop this often, so they survive an abort.");
    static final Setting<Duration> HEARTBEAT = Setting.duration("state.heartbeat", "2m",
            "While a test runs the state is rewritten at least this often (keep it under the server's watchdog.heartbeat).");
    static final Setting<Integer> ATTEMPTS = Setting.integer("transport.attempts", 1, 20, 3,
            "Attempts of each transport operation and package fetch before the poll gives up.");
    static final Setting<Duration> BACKOFF = Setting.duration("transport.backoff", "2s",
            "First wait between attempts; doubled each time, plus jitter.");

    static final Setting<Integer> MAX_IDLE_MIB = Setting.integer("daemon.max-idle-mib", 0, 65536, 64,
            "Resident memory (MiB) over which the daemon, idle daemon.afresh-after-idle after a run, exits for the"
            + " launcher to start it afresh (a run's classes, code and heap are never given back); 0: never.");
    static final Setting<Duration> AFRESH_AFTER_IDLE = Setting.duration("daemon.afresh-after-idle", "10m",
            "How long after its last run the daemon waits before starting afresh (requests in a row keep a warm JVM).");
    static final Setting<String> LOG_FORMAT = Setting.choice("log.format", "text",
            "How the agent writes its own log lines to stderr (the journal under systemd): text, or json (one object per line).",
            "text", "json");

    private static final List<Setting<?>> OWN = List.of(HOST, OWNER, DROP, IDENTITY, KNOWN_HOSTS, ACCEPT_NEW,
            CONNECT_TIMEOUT, IO_TIMEOUT, RSYNC, SSH, WORK_DIR, FETCH, FETCH_DEADLINE, FETCH_MAX_INDEX, CA_FILE, CRON, JITTER, DOORBELL, DOORBELL_TOKEN, SAFETY,
            DOORBELL_WAIT, REBOOT_COMMAND, BOOT_ID, MAX_REBOOTS, TEST_TIMEOUT, TEST_OOM, LOG_PUSH, HEARTBEAT, ATTEMPTS, BACKOFF, LOG_FORMAT,
            MAX_IDLE_MIB, AFRESH_AFTER_IDLE);

    /** Every key agent.conf may hold: the agent's own, then one per direction (its default). */
    public static final List<Setting<?>> SETTINGS = settings();

    private static List<Setting<?>> settings() {
        List<Setting<?>> all = new ArrayList<>(OWN);
        for (Directions.Key key : Directions.KEYS) {
            all.add(new Setting<>(key.name(), key.defaultValue(), key.doc() + " (config/directions overrides it)",
                    key.rule(), v -> {
                        if (!key.valid().test(v.strip())) {
                            throw new IllegalArgumentException(key.rule());
                        }
                        return v.strip();
                    }));
        }
        return List.copyOf(all);
    }

    public static AgentConfig load(Path file, Map<String, String> env) {
        LoadedConfig c = ConfigLoader.load(file, SETTINGS, env);
        String where = file == null ? "the environment" : file.toString();
        String host = c.get(HOST);
        if (host.isEmpty()) {
            throw new ConfigException(where + ": key 'host' is empty; set it to this SUT's host name on the server");
        }
        try {
            Names.require("host", host);
        } catch (RuntimeException e) {
            throw new ConfigException(where + ": key 'host': " + e.getMessage());
        }
        URI drop = dropUri(where, c.get(DROP));
        Path work = Path.of(c.get(WORK_DIR)).toAbsolutePath().normalize();
        Map<String, String> directions = new LinkedHashMap<>();
        for (Directions.Key key : Directions.KEYS) {
            directions.put(key.name(), (String) c.values().get(key.name()));
        }
        return new AgentConfig(host, c.get(OWNER), drop,
                new Ssh(orUnder(c.get(IDENTITY), work, "id_ed25519"), orUnder(c.get(KNOWN_HOSTS), work, "known_hosts"),
                        c.get(ACCEPT_NEW), c.get(CONNECT_TIMEOUT), c.get(IO_TIMEOUT), c.get(RSYNC), c.get(SSH)),
                work, uris(where, FETCH.key(), c.get(FETCH)), new Fetch(c.get(FETCH_DEADLINE), c.get(FETCH_MAX_INDEX),
                        c.get(CA_FILE).isEmpty() ? null : Path.of(c.get(CA_FILE)).toAbsolutePath()), c.get(CRON), c.get(JITTER),
                new Doorbell(c.get(DOORBELL).isEmpty() ? null : httpUri(where, c.get(DOORBELL)),
                        orUnder(c.get(DOORBELL_TOKEN), work, "doorbell.token"), c.get(SAFETY), c.get(DOORBELL_WAIT)),
                new Reboot(c.get(REBOOT_COMMAND), Path.of(c.get(BOOT_ID)), c.get(MAX_REBOOTS)),
                c.get(TEST_TIMEOUT), c.get(TEST_OOM), c.get(LOG_PUSH), c.get(HEARTBEAT), c.get(ATTEMPTS), c.get(BACKOFF),
                c.get(LOG_FORMAT), c.get(MAX_IDLE_MIB), c.get(AFRESH_AFTER_IDLE), Map.copyOf(directions));
    }

    private static URI dropUri(String where, String text) {
        if (text.isEmpty()) {
            throw new ConfigException(where + ": key 'drop.url' is empty; set it to this host's drop folder, e.g."
                    + " file:///srv/labdrop/drop/HOST or sftp://HOST@SERVER:2222/");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(where + ": key 'drop.url' is not a URL (" + e.getMessage() + ")");
        }
        String scheme = String.valueOf(uri.getScheme());
        boolean ssh = scheme.equals("sftp") || scheme.equals("rsync+ssh");
        if (!ssh && !scheme.equals("file")) {
            throw new ConfigException(where + ": key 'drop.url' has the scheme '" + scheme
                    + "'; use file://, sftp:// or rsync+ssh://");
        }
        if (ssh && (uri.getHost() == null || uri.getUserInfo() == null)) {
            throw new ConfigException(where + ": key 'drop.url' '" + text + "' needs a user and a server: "
                    + scheme + "://HOST@SERVER:PORT/");
        }
        return uri;
    }

    private static URI httpUri(String where, String text) {
        URI uri = URI.create(text);
        if (!List.of("http", "https").contains(String.valueOf(uri.getScheme()))) {
            throw new ConfigException(where + ": key 'doorbell.url' must be an http:// or https:// URL");
        }
        return uri;
    }

    private static List<URI> uris(String where, String key, String text) {
        if (text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split(",")).map(String::strip).map(s -> {
            if (!s.matches("(https?|file)://\\S+")) {
                throw new ConfigException(where + ": key '" + key + "': '" + s
                        + "' is not an http://, https:// or file:// URL");
            }
            return URI.create(s);
        }).toList();
    }

    private static Path orUnder(String value, Path work, String name) {
        return value.isEmpty() ? work.resolve(name) : Path.of(value).toAbsolutePath().normalize();
    }
}
