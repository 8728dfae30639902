package labdrop.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import labdrop.drop.AtomicFiles;
import labdrop.drop.DropLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropWatcherTest {
    @TempDir
    Path dir;

    private final List<String> configs = new CopyOnWriteArrayList<>();

    private DropWatcher watcher(DropLayout drop) {
        DropWatcher.Listener listener = new DropWatcher.Listener() {
            @Override
            public void stateChanged(String host) {
            }

            @Override
            public void resultChanged(String host, String requestId) {
            }

            @Override
            public void configChanged(String host, String file) {
                configs.add(host + "/" + file);
            }
        };
        DropWatcher.Awaited none = new DropWatcher.Awaited() {
            @Override
            public List<String> awaitedResults(String host) {
                return List.of();
            }

            @Override
            public Map<String, List<String>> awaitedResults() {
                return Map.of();
            }
        };
        return new DropWatcher(drop, listener, file -> true, none, false);
    }

    @Test
    void aConfigFileBeingWrittenIsNotAChangeOfTheHostsConfig() throws Exception {
        DropLayout drop = new DropLayout(dir.resolve("drop"));
        Files.createDirectories(drop.configDir("sut-a"));
        Files.writeString(drop.configDir("sut-a").resolve("network.conf"), "dhcp\n");
        DropWatcher watcher = watcher(drop);
        watcher.rescan();
        assertThat(configs).containsExactly("sut-a/network.conf");

        // another node's write under way, as AtomicFiles leaves it until its rename (CI's log: the
        // scan listed such a file, it was renamed away, and the whole host's scan failed)
        Files.writeString(drop.configDir("sut-a").resolve(AtomicFiles.TEMP_PREFIX + "directions-1"), "half");
        watcher.rescan();
        assertThat(configs).as("the host's config is unchanged: nothing read again").containsExactly("sut-a/network.conf");

        Files.writeString(drop.configDir("sut-a").resolve("network.conf"), "static 10.0.0.7\n");
        watcher.rescan();
        assertThat(configs).as("a real change is still read").hasSize(2);
    }
}
