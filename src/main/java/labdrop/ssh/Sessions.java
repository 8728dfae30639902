package labdrop.ssh;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import labdrop.drop.DropLayout;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.server.session.ServerSession;

/**
 * Per-session state of the embedded SSH server: the login a key granted (set at authentication),
 * sessions per key (the limit), the per-host quota trackers, and the audit trail.
 */
final class Sessions {
    static final AttributeRepository.AttributeKey<Login> LOGIN = new AttributeRepository.AttributeKey<>();
    private static final AttributeRepository.AttributeKey<Map<String, Quota>> QUOTAS = new AttributeRepository.AttributeKey<>();
    private final Path dropRoot;
    private final AuditLog audit;
    private final int maxPerKey;
    private final long quotaBytes;
    private final int quotaFiles;
    private final Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
    private final Map<ServerSession, Login> live = new ConcurrentHashMap<>();
    /** Guarded by itself. */
    private final Map<String, Quota> shared = new HashMap<>();

    private final SshMetrics metrics;

    Sessions(Path dropRoot, AuditLog audit, int maxPerKey, long quotaBytes, int quotaFiles, MeterRegistry registry) {
        this.dropRoot = dropRoot;
        this.metrics = new SshMetrics(registry);
        Gauge.builder("labdrop.ssh.sessions.open", live, Map::size).description("SSH sessions open (logged in)")
                .register(registry);
        this.audit = audit;
        this.maxPerKey = maxPerKey;
        this.quotaBytes = quotaBytes;
        this.quotaFiles = quotaFiles;
    }

    Path dropRoot() {
        return dropRoot;
    }

    SshMetrics metrics() {
        return metrics;
    }

    /**
     * Decides a presented key that the registry accepted. OpenSSH asks twice per login (the key
     * query, then the signed request): only the first answer is counted against the key's limit
     * here, and a session is counted and audited once, when it has authenticated ({@link #authenticated}).
     */
    boolean admit(ServerSession session, Login login) {
        Login earlier = session.getAttribute(LOGIN);
        if (earlier != null && earlier.fingerprint().equals(login.fingerprint())) {
            return true;
        }
        AtomicInteger count = perKey.computeIfAbsent(login.fingerprint(), k -> new AtomicInteger());
        if (count.get() >= maxPerKey) {
            audit(session, login, "refused", "login: the key already holds " + maxPerKey
                    + " sessions (ssh.max-sessions-per-key)");
            return false;
        }
        session.setAttribute(LOGIN, login);
        return true;
    }

    /** The session has authenticated: counted against its key (closed when that makes one too many) and audited once. */
    void authenticated(ServerSession session) {
        Login login = session.getAttribute(LOGIN);
        if (login == null) {
            return;
        }
        AtomicInteger count = perKey.computeIfAbsent(login.fingerprint(), k -> new AtomicInteger());
        if (count.incrementAndGet() > maxPerKey) {
            count.decrementAndGet();
            audit(session, login, "refused", "login: the key already holds " + maxPerKey
                    + " sessions (ssh.max-sessions-per-key)");
            session.close(true);
            return;
        }
        live.put(session, login);
        audit(session, login, "login", login.isLab() ? "lab hosts " + login.hosts() : "host " + login.user());
    }

    /** A session ended: its key's count goes down if it was counted, and it lets go of its hosts' quotas. */
    void closed(ServerSession session) {
        releaseQuotas(session);
        Login login = live.remove(session);
        if (login != null) {
            perKey.get(login.fingerprint()).decrementAndGet();
        }
    }

    /**
     * Closes every open session whose login is no longer valid (its key removed, its host retired,
     * its lab's hosts changed), auditing why. Run every few seconds by the server.
     */
    int closeRevoked(Predicate<Login> stillValid) {
        int closed = 0;
        for (Map.Entry<ServerSession, Login> e : Map.copyOf(live).entrySet()) {
            if (!stillValid.test(e.getValue())) {
                audit(e.getKey(), e.getValue(), "closed", "session: its key was removed, or its host retired or moved");
                e.getKey().close(true);
                closed++;
            }
        }
        return closed;
    }

    Jail jail(ServerSession session) throws AccessDeniedException {
        Login login = session.getAttribute(LOGIN);
        if (login == null) {
            throw new AccessDeniedException("not logged in");
        }
        return new Jail(login);
    }

    /**
     * The quota tracker of the host folder a jail path is in. One tracker per host is shared by
     * every session writing there (several clients of one key, or a lab key and the host's own),
     * so what they write together is held to the quota; it is measured when the first of them
     * needs it and dropped when the last closes, so the next measures again.
     */
    Quota quota(ServerSession session, Jail jail, String jailPath) throws IOException {
        String host = jail.locate(jailPath).map(Jail.Where::host)
                .orElseThrow(() -> new AccessDeniedException(jailPath));
        Map<String, Quota> held = session.computeAttributeIfAbsent(QUOTAS, k -> new ConcurrentHashMap<>());
        Quota quota = held.get(host);
        if (quota == null) {
            synchronized (shared) {
                quota = shared.get(host);
                if (quota == null) {
                    quota = Quota.measure(dropRoot.resolve(host), new DropLayout(dropRoot).quarantineDir(host),
                            quotaBytes, quotaFiles);
                    shared.put(host, quota);
                }
                quota.holders++;
            }
            held.put(host, quota);
        }
        return quota;
    }

    private void releaseQuotas(ServerSession session) {
        Map<String, Quota> held = session.removeAttribute(QUOTAS);
        if (held == null) {
            return;
        }
        synchronized (shared) {
            held.forEach((host, quota) -> {
                if (--quota.holders == 0) {
                    shared.remove(host, quota);
                }
            });
        }
    }

    void audit(ServerSession session, String event, String detail) {
        audit(session, session.getAttribute(LOGIN), event, detail);
    }

    void audit(ServerSession session, Login login, String event, String detail) {
        audit.record(event, login == null ? session.getUsername() : login.user(),
                login == null ? null : login.fingerprint(), String.valueOf(session.getClientAddress()), detail);
    }

    void auditRefusedLogin(ServerSession session, String user, String fingerprint, String why) {
        audit.record("refused", user, fingerprint, String.valueOf(session.getClientAddress()), "login: " + why);
    }

    /**
     * A host folder's usage against its quota: measured once, then kept up to date by what its
     * sessions write over SFTP (reserved before each write) and by what rsync pushes are seen to
     * have written ({@link #observe}).
     */
    static final class Quota {
        private final long maxBytes;
        private final int maxFiles;
        private long bytes;
        private long files;
        /** Sessions holding this tracker; guarded by the shared map. */
        private int holders;

        private Quota(long bytes, long files, long maxBytes, int maxFiles) {
            this.bytes = bytes;
            this.files = files;
            this.maxBytes = maxBytes;
            this.maxFiles = maxFiles;
        }

        /** The usage of a host folder plus its quarantine (the refused files the host sent count as its own). */
        static Quota measure(Path hostDir, Path quarantine, long maxBytes, int maxFiles) throws IOException {
            long[] usage = PushWatch.usage(hostDir);
            long[] refused = PushWatch.usage(quarantine);
            return new Quota(usage[0] + refused[0], usage[1] + refused[1], maxBytes, maxFiles);
        }

        /** Why the folder would be over a quota with {@code moreBytes} and {@code moreFiles} added, or null. */
        synchronized String overBy(long moreBytes, long moreFiles) {
            if (files + moreFiles > maxFiles) {
                return "the host folder would hold " + (files + moreFiles) + " files, over its quota (ssh.quota-files) of "
                        + maxFiles + "; an admin removes old results or raises the quota";
            }
            if (bytes + moreBytes > maxBytes) {
                return "the host folder would hold " + (bytes + moreBytes) + " bytes, over its quota (ssh.quota-bytes) of "
                        + maxBytes + "; an admin removes old results or raises the quota";
            }
            return null;
        }

        /** Raises the counted usage to what a measurement of the folder found (what an rsync push has written). */
        synchronized void observe(long[] measured) {
            bytes = Math.max(bytes, measured[0]);
            files = Math.max(files, measured[1]);
        }

        synchronized void reserve(int newFiles, long newBytes) throws AccessDeniedException {
            if (files + newFiles > maxFiles) {
                throw new AccessDeniedException(null, null, "the host folder holds " + files
                        + " files, its quota (ssh.quota-files) is " + maxFiles);
            }
            if (bytes + newBytes > maxBytes) {
                throw new AccessDeniedException(null, null, "the host folder holds " + bytes
                        + " bytes, its quota (ssh.quota-bytes) is " + maxBytes);
            }
            files += newFiles;
            bytes += newBytes;
        }

        synchronized long bytesLeft() {
            return Math.max(0, maxBytes - bytes);
        }

        synchronized long filesLeft() {
            return Math.max(0, maxFiles - files);
        }
    }
}
