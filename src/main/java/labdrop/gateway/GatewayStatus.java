package labdrop.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import labdrop.drop.AtomicFiles;

/**
 * What the gateway last did, written to {@code <state.dir>/status.properties} after every sync
 * and read by {@code labdrop gateway status}: when it last reached the server, the last error,
 * and per host when it last synced and how many files wait to be pushed.
 *
 * @param lastAttempt when the gateway last tried to sync
 * @param lastSync    when a sync last reached the server (null: never)
 * @param lastError   why the last attempt failed (null: it did not)
 * @param hosts       host to its own line
 * @param cacheBytes  bytes in the package cache
 * @param cachePackages packages in the package cache
 * @param doorbell    how the gateway reads its lab's doorbell and whether it answers (null: not known)
 */
public record GatewayStatus(String server, Instant lastAttempt, Instant lastSync, String lastError, Map<String, Host> hosts,
                            long cacheBytes, int cachePackages, String doorbell) {

    /** One host: when it was last synced and the files of its SUT still to reach the server. */
    public record Host(Instant lastSync, int unsent) {
    }

    static final String FILE = "status.properties";

    void save(Path stateDir) throws IOException {
        Properties p = new Properties();
        p.setProperty("server", server);
        p.setProperty("last-attempt", String.valueOf(lastAttempt));
        if (lastSync != null) {
            p.setProperty("last-sync", lastSync.toString());
        }
        if (lastError != null) {
            p.setProperty("last-error", lastError);
        }
        p.setProperty("cache-bytes", Long.toString(cacheBytes));
        p.setProperty("cache-packages", Integer.toString(cachePackages));
        if (doorbell != null) {
            p.setProperty("doorbell", doorbell);
        }
        hosts.forEach((name, h) -> {
            p.setProperty("host." + name + ".unsent", String.valueOf(h.unsent()));
            if (h.lastSync() != null) {
                p.setProperty("host." + name + ".last-sync", h.lastSync().toString());
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.store(out, "labdrop gateway status");
        AtomicFiles.write(stateDir.resolve(FILE), out.toByteArray());
    }

    /** The status the gateway of {@code stateDir} last wrote; empty (never synced) when none. */
    public static GatewayStatus read(Path stateDir) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(stateDir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException none) {
            return new GatewayStatus("", null, null, "the gateway has not run yet (no " + stateDir.resolve(FILE) + ")",
                    Map.of(), 0, 0, null);
        }
        Map<String, Host> hosts = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("host.") && key.endsWith(".unsent")) {
                String name = key.substring(5, key.length() - ".unsent".length());
                String last = p.getProperty("host." + name + ".last-sync");
                hosts.put(name, new Host(last == null ? null : Instant.parse(last), Integer.parseInt(p.getProperty(key))));
            }
        }
        String attempt = p.getProperty("last-attempt");
        String sync = p.getProperty("last-sync");
        return new GatewayStatus(p.getProperty("server", ""), attempt == null || attempt.equals("null") ? null : Instant.parse(attempt),
                sync == null ? null : Instant.parse(sync), p.getProperty("last-error"), hosts,
                Long.parseLong(p.getProperty("cache-bytes", "0")), Integer.parseInt(p.getProperty("cache-packages", "0")),
                p.getProperty("doorbell"));
    }
}
