package labdrop.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server's configuration, read once from {@code server.conf} (see conf/server.conf, which
 * lists exactly these keys). Every key is declared here, once, with its default and its doc.
 */
public record ServerConfig(
        Path stateDir,
        Path dropDir,
        Path hostTypesDir,
        Path routesDir,
        Database database,
        Ingest ingest,
        Watchdog watchdog,
        Duration placerInterval,
        Http http,
        Ssh ssh,
        Notify notifications,
        Ready ready,
        Cluster cluster,
        String logFormat,
        Map<String, String> placeholders,
        Map<String, String> camelProperties,
        Map<String, String> sources) {

    /** Where a key's value came from: {@code /etc/labdrop/server.conf:57}, an environment variable, or "default". */
    public String source(String key) {
        return sources.getOrDefault(key, "default");
    }

    /** Jetty's address and the package repositories it serves at /packages/<name>/. */
    public record Http(String host, int port, Map<String, Path> repositories, Path staging,
                       long maxUploadBytes, Tls tls, List<String> trustedProxies) {
    }

    /**
     * HTTPS served by Jetty itself: a PEM certificate chain and PKCS#8 key, or a PKCS#12 file
     * (reloaded when the files change). None set: plain HTTP (behind a TLS proxy, say).
     */
    public record Tls(Path certificate, Path key, Path keystore, String keystorePassword) {
        public static final Tls NONE = new Tls(null, null, null, "");

        public boolean enabled() {
            return certificate != null || keystore != null;
        }
    }

    /** What /readyz asks of the server: free space on the drop's and state's filesystems, and how far the placer may lag. */
    public record Ready(long minFreeBytes, Duration maxPlacerLag) {
    }

    /** The embedded SSH server (SFTP and rsync, one jail per host or lab). */
    public record Ssh(boolean enabled, String host, int port, Path hostKey, int maxSessionsPerKey, long quotaBytes,
                      int quotaFiles, String rsync, Path auditLog, long auditMaxBytes, int auditKeep, boolean postQuantum) {
    }

    /**
     * Webhooks and mail: how deliveries are retried ({@code retryFirst} doubling up to
     * {@code retryLongest}, given up after {@code giveUpAfter}), how long one try may take, how
     * long ended deliveries are kept, the base URL put before links, and the SMTP server.
     */
    public record Notify(Duration retryFirst, Duration retryLongest, Duration giveUpAfter, Duration timeout,
                         Duration keep, String linkBase, Mail mail) {
    }

    /** The SMTP server notification mail goes through; {@code host} empty: no mail is sent. */
    public record Mail(String host, int port, String security, String user, String password, String from, Path caFile) {
        public boolean enabled() {
            return !host.isEmpty();
        }
    }

    /**
     * The store's connection; {@code idleInTransactionTimeout} (PostgreSQL only; zero: none) ends a
     * transaction that waits that long between two statements, so a stalled process's row locks
     * do not stall everyone else; {@code shared}: other labdrop nodes, maybe of another version
     * during a rolling upgrade, use the same store (a cluster).
     */
    public record Database(String url, String user, String password, int poolSize, Duration idleInTransactionTimeout,
                           boolean shared) {
        /** A store this process alone uses. */
        public static Database own(String url, String user, String password, int poolSize) {
            return new Database(url, user, password, poolSize, Duration.ZERO, false);
        }
    }

    /**
     * Several server nodes on one PostgreSQL (docs/cluster.md): this node's id, how often it
     * writes its heartbeat, and after how long without one the other nodes count it dead.
     */
    public record Cluster(boolean enabled, String nodeId, Duration heartbeat, Duration deadAfter) {
        public static final Cluster OFF = new Cluster(false, "", Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    public record Ingest(long maxStateBytes, long maxResultBytes, long maxConfigBytes,
                         Duration stableAfter, Duration rescanInterval, String minAgentVersion, Duration maxSeqAhead,
                         long quarantineBytesPerHost, long quarantineBytes, boolean watch) {
    }

    public record Watchdog(String cron, Duration heartbeat, Duration grace, boolean resetLostHosts,
                           Duration hardResetTimeout) {
    }

    static final Setting<String> STATE_DIR = Setting.text("state.dir", "labdrop-data",
            "Folder for the store, the drop and host types unless set below; relative to the working folder.");
    static final Setting<String> DROP_DIR = Setting.text("drop.dir", "",
            "The drop directory; empty means <state.dir>/drop.");
    static final Setting<String> HOST_TYPES_DIR = Setting.text("host-types.dir", "",
            "Folder of host types (files of default directions); empty means <state.dir>/host-types.");
    static final Setting<String> ROUTES_DIR = Setting.text("routes.dir", "",
            "Folder of Camel YAML route files that replace the shipped ones of the same name (docs/routes.md);"
                    + " empty: the routes shipped in the jar alone.");
    static final Setting<String> DB_URL = Setting.text("db.url", "",
            "JDBC URL of the store; empty means an embedded H2 file under <state.dir>/db."
                    + " PostgreSQL: jdbc:postgresql://host:5432/labdrop");
    static final Setting<String> DB_USER = Setting.text("db.user", "", "Database user (empty for H2).");
    static final Setting<String> DB_PASSWORD = Setting.text("db.password", "", "Database password.");
    static final Setting<Integer> DB_POOL_SIZE = Setting.integer("db.pool-size", 1, 100, 8,
            "Maximum number of pooled database connections.");
    static final Setting<Duration> PLACER_INTERVAL = Setting.duration("placer.interval", "1s",
            "How often the placer drains pending placements written by other processes (the CLI).");
    static final Setting<Long> MAX_STATE_BYTES = Setting.bytes("ingest.max-state-bytes", 65_536,
            "Largest state_file accepted; a larger one is quarantined.");
    static final Setting<Long> MAX_RESULT_BYTES = Setting.bytes("ingest.max-result-bytes", 4_194_304,
            "Largest results/<id>/result.xml accepted.");
    static final Setting<Long> MAX_CONFIG_BYTES = Setting.bytes("ingest.max-config-bytes", 65_536,
            "Largest file accepted in a host's config/ folder.");
    static final Setting<Duration> STABLE_AFTER = Setting.duration("ingest.stable-after", "2s",
            "A file that does not parse is retried until it has not changed for this long, then quarantined.");
    static final Setting<Duration> MAX_SEQ_AHEAD = Setting.duration("ingest.max-seq-ahead", "1d",
            "A state_file whose seq (the agent's clock in milliseconds) is further ahead of the server's clock is refused.");
    static final Setting<Long> QUARANTINE_HOST = Setting.bytes("ingest.quarantine-bytes-per-host", 16_777_216,
            "Refused files kept per host in <drop>/.quarantine/<host>/, newest first; older ones are deleted. Counts"
                    + " against the host's ssh.quota-bytes.");
    static final Setting<Long> QUARANTINE_TOTAL = Setting.bytes("ingest.quarantine-bytes", 268_435_456,
            "Refused files kept in <drop>/.quarantine/ for all hosts together, newest first.");
    static final Setting<Duration> CONFIG_SWEEP = Setting.duration("ingest.config-sweep-interval", "30s",
            "How often config files edited directly on disk are looked for (a folder read and a stat per file of every"
                    + " host). Edits through the server apply at once.");
    static final Setting<Duration> RESULT_POLL = Setting.duration("ingest.result-poll-interval", "2s",
            "How often the result.xml of each running request is looked at (a stat per running request; result folders"
                    + " are not watched). A state_file change reads them at once.");
    static final Setting<String> MIN_AGENT_VERSION = Setting.text("agent.min-version", "",
            "Agents reporting an older version get no requests: their host shows Outdated with the reason until a newer"
                    + " agent reports. Empty: no minimum.");
    static final Setting<Duration> RESCAN_INTERVAL = Setting.duration("ingest.rescan-interval", "10m",
            "Safety-net full scan of the drop (for NFS and lost change events).");
    static final Setting<Boolean> WATCH = Setting.bool("ingest.watch", true,
            "Watch the drop for changes (inotify). Set false on a cluster's shared NFS drop, where inotify sees only this"
                    + " machine's writes: states and results written through a node's SSH server are ingested as each write"
                    + " ends, the rest by the result poll and ingest.rescan-interval.");
    static final Setting<String> WATCHDOG_CRON = Setting.text("watchdog.cron", "0/30 * * * * ?",
            "Quartz cron of the server watchdog that finds Lost hosts and Aborted requests.");
    static final Setting<Duration> HEARTBEAT = Setting.duration("watchdog.heartbeat", "15m",
            "A host with a request that sends no state for this long becomes Lost.");
    static final Setting<Duration> GRACE = Setting.duration("watchdog.grace", "30m",
            "After heartbeat plus this, the Lost host's request becomes Aborted.");
    static final Setting<Boolean> RESET_LOST = Setting.bool("watchdog.reset-lost-hosts", false,
            "Run a host's hard_reset_command once when it goes Lost.");
    static final Setting<Duration> HARD_RESET_TIMEOUT = Setting.duration("hard-reset.timeout", "2m",
            "How long a hard_reset_command may run before it is killed.");

    static final Setting<String> HTTP_HOST = Setting.text("http.host", "0.0.0.0",
            "Address Jetty listens on (packages, health); SUTs fetch packages from it.");
    static final Setting<Integer> HTTP_PORT = Setting.integer("http.port", 0, 65535, 8080,
            "Port Jetty listens on; 0 picks a free one.");
    static final Setting<String> UPLOAD_LOCATION = Setting.text("upload_location", "",
            "Folder of the 'builtin' package repository (Autotest's [PACKAGES] key); empty means <state.dir>/packages/builtin.");
    static final Setting<String> CUSTOM_UPLOAD_LOCATION = Setting.text("custom_upload_location", "",
            "Folder of the 'custom' package repository; empty means <state.dir>/packages/custom.");
    static final Setting<String> CUSTOM_DOWNLOAD_LOCATION = Setting.text("custom_download_location", "",
            "Staging folder for packages uploaded through the server, verified before they are published;"
                    + " empty means <state.dir>/packages/staging.");

    static final Setting<Long> MAX_UPLOAD_BYTES = Setting.bytes("api.max-upload-bytes", 2_147_483_648L,
            "Largest package accepted by the upload API (PUT /api/v1/packages/<repo>/<file>).");

    static final Setting<String> TLS_CERTIFICATE = Setting.text("http.tls.certificate", "",
            "PEM certificate chain for HTTPS on http.port (with http.tls.key); reloaded when the file changes. Empty: plain HTTP.");
    static final Setting<String> TLS_KEY = Setting.text("http.tls.key", "",
            "PEM PKCS#8 private key of http.tls.certificate (openssl pkcs8 -topk8 -nocrypt converts others).");
    static final Setting<String> TLS_KEYSTORE = Setting.text("http.tls.keystore", "",
            "PKCS#12 file with the HTTPS key and certificate, instead of the two PEM files; reloaded when it changes.");
    static final Setting<String> TLS_KEYSTORE_PASSWORD = Setting.text("http.tls.keystore-password", "",
            "Password of http.tls.keystore.");
    static final Setting<String> TRUSTED_PROXIES = Setting.text("http.trusted-proxies", "",
            "Addresses or CIDR ranges of TLS-terminating proxies whose Forwarded and X-Forwarded-* headers are believed"
                    + " (comma-separated); from any other address those headers are ignored.");

    static final Setting<Boolean> SSH_ENABLED = Setting.bool("ssh.enabled", true,
            "Run the embedded SSH server (SFTP and rsync for SUTs and lab gateways).");
    static final Setting<String> SSH_HOST = Setting.text("ssh.host", "0.0.0.0", "Address the SSH server listens on.");
    static final Setting<Integer> SSH_PORT = Setting.integer("ssh.port", 0, 65535, 2222,
            "Port of the SSH server; 0 picks a free one.");
    static final Setting<String> SSH_HOST_KEY = Setting.text("ssh.host-key", "",
            "The server's ed25519 host key (OpenSSH format), generated on first start; empty means <state.dir>/ssh_host_ed25519_key.");
    static final Setting<Integer> SSH_SESSIONS = Setting.integer("ssh.max-sessions-per-key", 1, 1000, 4,
            "Concurrent SSH sessions one key may hold; more are refused at login.");
    static final Setting<Long> SSH_QUOTA_BYTES = Setting.bytes("ssh.quota-bytes", 1_073_741_824L,
            "Bytes a host folder may hold; writes over it are refused.");
    static final Setting<Integer> SSH_QUOTA_FILES = Setting.integer("ssh.quota-files", 1, 10_000_000, 20_000,
            "Files a host folder may hold; creating more is refused.");
    static final Setting<String> SSH_RSYNC = Setting.text("ssh.rsync", "rsync",
            "The rsync binary run for 'rsync --server' requests.");
    static final Setting<Boolean> SSH_PQ = Setting.bool("ssh.post-quantum-kex", false,
            "Offer the post-quantum hybrid key exchanges (mlkem768x25519, sntrup761x25519) first; false offers"
                    + " curve25519-sha256 (then ecdh-sha2-nistp256) only, which costs the server less per login (docs/ssh.md).");
    static final Setting<String> SSH_AUDIT = Setting.text("ssh.audit-log", "",
            "Audit log of every login, refusal and write; empty means <state.dir>/ssh-audit.log.");
    static final Setting<Long> SSH_AUDIT_MAX = Setting.bytes("ssh.audit-max-bytes", 67_108_864L,
            "When the audit log passes this size it is renamed ssh-audit.log.1 (older ones shift up) and a new one begun.");
    static final Setting<Integer> SSH_AUDIT_KEEP = Setting.integer("ssh.audit-keep", 1, 20, 10,
            "How many rotated audit logs are kept (ssh-audit.log.1 … .N); the oldest is deleted.");
    /** The embedded SSH server's keys: the server's, and a lab gateway's for the SUTs behind it. */
    public static final List<Setting<?>> SSH_SETTINGS = List.of(SSH_ENABLED, SSH_HOST, SSH_PORT, SSH_HOST_KEY, SSH_SESSIONS,
            SSH_QUOTA_BYTES, SSH_QUOTA_FILES, SSH_RSYNC, SSH_PQ, SSH_AUDIT, SSH_AUDIT_MAX, SSH_AUDIT_KEEP);

    /** The SSH server's settings from {@code c}; the host key and audit log default to files in {@code state}. */
    public static Ssh ssh(LoadedConfig c, Path state) {
        return new Ssh(c.get(SSH_ENABLED), c.get(SSH_HOST), c.get(SSH_PORT),
                orUnder(c.get(SSH_HOST_KEY), state, "ssh_host_ed25519_key"), c.get(SSH_SESSIONS),
                c.get(SSH_QUOTA_BYTES), c.get(SSH_QUOTA_FILES), c.get(SSH_RSYNC),
                orUnder(c.get(SSH_AUDIT), state, "ssh-audit.log"), c.get(SSH_AUDIT_MAX), c.get(SSH_AUDIT_KEEP),
                c.get(SSH_PQ));
    }

    static final Setting<String> LOG_FORMAT = Setting.choice("log.format", "text",
            "How the server writes its log lines to stderr (the journal under systemd): text, or json (one object per line).",
            "text", "json");

    static final Setting<Duration> NOTIFY_INTERVAL = Setting.duration("notify.interval", "1s",
            "How often new events are fanned out to webhooks and mail, and due deliveries are sent.");
    static final Setting<Duration> NOTIFY_RETRY_FIRST = Setting.duration("notify.retry-first", "10s",
            "Wait after a receiver's first failure; it doubles with each failure in a row, up to notify.retry-longest.");
    static final Setting<Duration> NOTIFY_RETRY_LONGEST = Setting.duration("notify.retry-longest", "10m",
            "Longest wait between two tries of an unreachable webhook receiver or SMTP server.");
    static final Setting<Duration> NOTIFY_GIVE_UP = Setting.duration("notify.give-up-after", "3d",
            "A delivery still failing this long after its event is given up (shown as failed on the admin page).");
    static final Setting<Duration> NOTIFY_TIMEOUT = Setting.duration("notify.timeout", "10s",
            "Longest one webhook POST or one SMTP conversation may take (connecting included).");
    static final Setting<Duration> NOTIFY_KEEP = Setting.duration("notify.keep", "7d",
            "Delivered and given-up deliveries and mail are kept this long for the admin page, then deleted.");
    static final Setting<String> NOTIFY_LINK_BASE = Setting.text("notify.link-base", "",
            "Base URL put before the links in webhook bodies and mail (e.g. https://lab.example.com); empty: paths only.");
    static final Setting<String> MAIL_HOST = Setting.text("mail.host", "",
            "SMTP server for notification mail; empty: no mail is sent (webhooks still are).");
    static final Setting<Integer> MAIL_PORT = Setting.integer("mail.port", 1, 65535, 587,
            "SMTP port (587 for STARTTLS, 465 for SMTPS, 25 for plain).");
    static final Setting<String> MAIL_SECURITY = Setting.text("mail.security", "starttls",
            "starttls (required, certificate checked), tls (SMTPS from the first byte), or none (a trusted relay only).");
    static final Setting<String> MAIL_USER = Setting.text("mail.user", "",
            "SMTP user for AUTH; empty: no authentication.");
    static final Setting<String> MAIL_PASSWORD = Setting.text("mail.password", "", "SMTP password of mail.user.");
    static final Setting<String> MAIL_FROM = Setting.text("mail.from", "labdrop@localhost",
            "The From address of notification mail.");
    static final Setting<String> MAIL_CA_FILE = Setting.text("mail.ca-file", "",
            "PEM file of the CA certificates the SMTP server's certificate must chain to; empty: the JVM's default trust.");

    static final Setting<Long> READY_MIN_FREE = Setting.bytes("ready.min-free-bytes", 536870912L,
            "/readyz answers 503 when the drop's or the state folder's filesystem has less free space than this.");
    static final Setting<Duration> READY_PLACER_LAG = Setting.duration("ready.max-placer-lag", "1m",
            "/readyz answers 503 when a placement has waited in the outbox longer than this.");

    static final Setting<Boolean> CLUSTER_ENABLED = Setting.bool("cluster.enabled", false,
            "Run as one node of several sharing one PostgreSQL store and one drop folder (docs/cluster.md); needs"
                    + " db.url to name PostgreSQL. Lab-wide timers (the watchdog) then fire on one node per tick.");
    static final Setting<String> CLUSTER_NODE_ID = Setting.text("cluster.node-id", "",
            "This node's id in the cluster (letters, digits, '.', '_', '-'; at most 64), unique among the nodes;"
                    + " empty means the machine's host name.");
    static final Setting<Duration> CLUSTER_HEARTBEAT = Setting.duration("cluster.heartbeat", "5s",
            "How often a node writes its heartbeat to the store (and checks in with Quartz's clustered job store).");
    static final Setting<Duration> CLUSTER_TX_IDLE = Setting.duration("cluster.transaction-idle-timeout", "30s",
            "A node's transaction that waits this long between two statements (a node paused or stalled while it holds"
                    + " a host's lock) is ended and rolled back by PostgreSQL, so the other nodes go on with that host.");
    static final Setting<Duration> CLUSTER_DEAD_AFTER = Setting.duration("cluster.dead-after", "30s",
            "A node whose last heartbeat is older than this is shown dead (labdrop cluster status).");

    public static final List<Setting<?>> SETTINGS = List.of(STATE_DIR, DROP_DIR, HOST_TYPES_DIR, ROUTES_DIR,
            DB_URL, DB_USER, DB_PASSWORD, DB_POOL_SIZE, PLACER_INTERVAL, MAX_STATE_BYTES, MAX_RESULT_BYTES,
            MAX_CONFIG_BYTES, STABLE_AFTER, RESCAN_INTERVAL, WATCH, CONFIG_SWEEP, RESULT_POLL, MAX_SEQ_AHEAD, QUARANTINE_HOST, QUARANTINE_TOTAL, MIN_AGENT_VERSION, WATCHDOG_CRON, HEARTBEAT, GRACE, RESET_LOST,
            HARD_RESET_TIMEOUT, HTTP_HOST, HTTP_PORT, UPLOAD_LOCATION, CUSTOM_UPLOAD_LOCATION,
            CUSTOM_DOWNLOAD_LOCATION, MAX_UPLOAD_BYTES, TLS_CERTIFICATE, TLS_KEY, TLS_KEYSTORE, TLS_KEYSTORE_PASSWORD, TRUSTED_PROXIES,
            SSH_ENABLED, SSH_HOST, SSH_PORT, SSH_HOST_KEY, SSH_SESSIONS,
            SSH_QUOTA_BYTES, SSH_QUOTA_FILES, SSH_RSYNC, SSH_AUDIT, SSH_AUDIT_MAX, SSH_AUDIT_KEEP, SSH_PQ,
            NOTIFY_INTERVAL, NOTIFY_RETRY_FIRST, NOTIFY_RETRY_LONGEST, NOTIFY_GIVE_UP, NOTIFY_TIMEOUT, NOTIFY_KEEP,
            NOTIFY_LINK_BASE, MAIL_HOST, MAIL_PORT, MAIL_SECURITY, MAIL_USER, MAIL_PASSWORD, MAIL_FROM, MAIL_CA_FILE,
            READY_MIN_FREE, READY_PLACER_LAG, CLUSTER_ENABLED, CLUSTER_NODE_ID, CLUSTER_HEARTBEAT, CLUSTER_DEAD_AFTER,
            CLUSTER_TX_IDLE,
            LOG_FORMAT);

    public static ServerConfig load(Path file, Map<String, String> env) {
        LoadedConfig c = ConfigLoader.load(file, SETTINGS, env);
        Path state = Path.of(c.get(STATE_DIR)).toAbsolutePath().normalize();
        Path drop = orUnder(c.get(DROP_DIR), state, "drop");
        Path types = orUnder(c.get(HOST_TYPES_DIR), state, "host-types");
        String url = c.get(DB_URL).isEmpty()
                ? "jdbc:h2:file:" + state.resolve("db").resolve("labdrop") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0"
                : c.get(DB_URL);
        Map<String, String> placeholders = new LinkedHashMap<>();
        for (Setting<?> s : SETTINGS) {
            Object value = c.values().get(s.key());
            // Durations reach Camel routes as milliseconds, the unit every Camel option accepts.
            placeholders.put(s.key(), value instanceof Duration d ? Long.toString(d.toMillis()) : String.valueOf(value));
        }
        placeholders.put("drop.dir", drop.toString());
        return new ServerConfig(state, drop, types, c.get(ROUTES_DIR).isBlank() ? null : Path.of(c.get(ROUTES_DIR)).toAbsolutePath().normalize(),
                c.get(CLUSTER_ENABLED)
                        ? new Database(url, c.get(DB_USER), c.get(DB_PASSWORD), c.get(DB_POOL_SIZE), c.get(CLUSTER_TX_IDLE), true)
                        : Database.own(url, c.get(DB_USER), c.get(DB_PASSWORD), c.get(DB_POOL_SIZE)),
                new Ingest(c.get(MAX_STATE_BYTES), c.get(MAX_RESULT_BYTES), c.get(MAX_CONFIG_BYTES),
                        c.get(STABLE_AFTER), c.get(RESCAN_INTERVAL), c.get(MIN_AGENT_VERSION).strip(),
                        c.get(MAX_SEQ_AHEAD), c.get(QUARANTINE_HOST), c.get(QUARANTINE_TOTAL), c.get(WATCH)),
                new Watchdog(c.get(WATCHDOG_CRON), c.get(HEARTBEAT), c.get(GRACE), c.get(RESET_LOST),
                        c.get(HARD_RESET_TIMEOUT)),
                c.get(PLACER_INTERVAL),
                new Http(c.get(HTTP_HOST), c.get(HTTP_PORT), new TreeMap<>(Map.of(
                        "builtin", orUnder(c.get(UPLOAD_LOCATION), state, "packages/builtin"),
                        "custom", orUnder(c.get(CUSTOM_UPLOAD_LOCATION), state, "packages/custom"))),
                        orUnder(c.get(CUSTOM_DOWNLOAD_LOCATION), state, "packages/staging"), c.get(MAX_UPLOAD_BYTES),
                        tls(file, c), proxies(c.get(TRUSTED_PROXIES))),
                ssh(c, state),
                notify(file, c),
                new Ready(c.get(READY_MIN_FREE), c.get(READY_PLACER_LAG)),
                cluster(file, c, url),
                c.get(LOG_FORMAT),
                Map.copyOf(placeholders), Map.copyOf(c.camelProperties()), Map.copyOf(c.sources()));
    }

    private static Cluster cluster(Path file, LoadedConfig c, String url) {
        if (!c.get(CLUSTER_ENABLED)) {
            return new Cluster(false, "", c.get(CLUSTER_HEARTBEAT), c.get(CLUSTER_DEAD_AFTER));
        }
        String where = file == null ? "the environment" : file.toString();
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(where + ": cluster.enabled = true needs a store every node shares, and db.url is "
                    + (url.startsWith("jdbc:h2:") ? "the embedded H2 file, which belongs to one server process" : "'" + url + "'")
                    + ". Set db.url to PostgreSQL (jdbc:postgresql://HOST:5432/labdrop), or set cluster.enabled = false"
                    + " (docs/cluster.md)");
        }
        String node = c.get(CLUSTER_NODE_ID).strip();
        if (node.isEmpty()) {
            node = machineName();
        }
        if (!node.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigException(c.sources().getOrDefault(CLUSTER_NODE_ID.key(), "the machine's host name") + ": cluster.node-id '" + node + "' is not a node id: use"
                    + " letters, digits, '.', '_' and '-', at most 64 (it is unique among the cluster's nodes)");
        }
        if (c.get(CLUSTER_DEAD_AFTER).compareTo(c.get(CLUSTER_HEARTBEAT).multipliedBy(2)) < 0) {
            throw new ConfigException(where + ": cluster.dead-after (" + c.get(CLUSTER_DEAD_AFTER) + ") is shorter than two"
                    + " cluster.heartbeat (" + c.get(CLUSTER_HEARTBEAT) + "); a node would be shown dead between two"
                    + " heartbeats. Make it at least twice as long");
        }
        return new Cluster(true, node, c.get(CLUSTER_HEARTBEAT), c.get(CLUSTER_DEAD_AFTER));
    }

    /** The machine's host name, as the kernel has it (no name service asked). */
    public static String machineName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            throw new ConfigException("cluster.node-id is empty and the machine's host name cannot be read ("
                    + e.getMessage() + "); set cluster.node-id");
        }
    }

    private static Notify notify(Path file, LoadedConfig c) {
        String where = file == null ? "the environment" : file.toString();
        if (c.get(NOTIFY_RETRY_LONGEST).compareTo(c.get(NOTIFY_RETRY_FIRST)) < 0) {
            throw new ConfigException(where + ": notify.retry-longest (" + c.get(NOTIFY_RETRY_LONGEST)
                    + ") is shorter than notify.retry-first (" + c.get(NOTIFY_RETRY_FIRST) + "); make it at least as long");
        }
        String security = c.get(MAIL_SECURITY).strip();
        if (!List.of("starttls", "tls", "none").contains(security)) {
            throw new ConfigException(where + ": mail.security is '" + security + "'; use starttls, tls or none");
        }
        String ca = c.get(MAIL_CA_FILE).strip();
        Path caFile = ca.isEmpty() ? null : Path.of(ca).toAbsolutePath();
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new ConfigException(where + ": mail.ca-file " + caFile + " cannot be read; give a PEM file of CA"
                    + " certificates, or leave it empty for the JVM's default trust");
        }
        String base = c.get(NOTIFY_LINK_BASE).strip();
        if (!base.isEmpty() && !base.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
            throw new ConfigException(where + ": notify.link-base '" + base
                    + "' is not an http:// or https:// base URL like https://lab.example.com");
        }
        return new Notify(c.get(NOTIFY_RETRY_FIRST), c.get(NOTIFY_RETRY_LONGEST), c.get(NOTIFY_GIVE_UP),
                c.get(NOTIFY_TIMEOUT), c.get(NOTIFY_KEEP), base.replaceAll("/+$", ""),
                new Mail(c.get(MAIL_HOST).strip(), c.get(MAIL_PORT), security, c.get(MAIL_USER), c.get(MAIL_PASSWORD),
                        c.get(MAIL_FROM).strip(), caFile));
    }

    private static Tls tls(Path file, LoadedConfig c) {
        String where = file == null ? "the environment" : file.toString();
        boolean pem = !c.get(TLS_CERTIFICATE).isEmpty() || !c.get(TLS_KEY).isEmpty();
        if (pem && (c.get(TLS_CERTIFICATE).isEmpty() || c.get(TLS_KEY).isEmpty())) {
            throw new ConfigException(where + ": http.tls.certificate and http.tls.key go together; set both or neither");
        }
        if (pem && !c.get(TLS_KEYSTORE).isEmpty()) {
            throw new ConfigException(where + ": set either http.tls.certificate and http.tls.key or http.tls.keystore, not both");
        }
        return new Tls(pem ? Path.of(c.get(TLS_CERTIFICATE)).toAbsolutePath() : null,
                pem ? Path.of(c.get(TLS_KEY)).toAbsolutePath() : null,
                c.get(TLS_KEYSTORE).isEmpty() ? null : Path.of(c.get(TLS_KEYSTORE)).toAbsolutePath(),
                c.get(TLS_KEYSTORE_PASSWORD));
    }

    private static List<String> proxies(String text) {
        return text.isBlank() ? List.of() : Arrays.stream(text.split(",")).map(String::strip)
                .filter(p -> !p.isEmpty()).toList();
    }

    private static Path orUnder(String value, Path state, String name) {
        return value.isEmpty() ? state.resolve(name) : Path.of(value).toAbsolutePath().normalize();
    }
}
