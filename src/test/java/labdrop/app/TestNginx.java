package labdrop.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx on loopback for a test, as a proxy in front of labdrop: its own prefix folder
 * (configuration, temp folders, pid, logs under {@code logs/}), in the foreground, stopped on close.
 */
public final class TestNginx implements AutoCloseable {
    private final Path prefix;
    private final Process process;

    private TestNginx(Path prefix, Process process) {
        this.prefix = prefix;
        this.process = process;
    }

    /** Starts nginx with {@code http} as the body of its {@code http} block (servers, log formats). */
    public static TestNginx start(Path prefix, String http) throws IOException {
        Files.createDirectories(prefix.resolve("logs"));
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, String.join("\n",
                "worker_processes 1;",
                "pid " + prefix.resolve("nginx.pid") + ";",
                "error_log " + prefix.resolve("logs/error.log") + " warn;",
                "events { worker_connections 64; }",
                "http {",
                "  client_body_temp_path " + prefix.resolve("body") + ";",
                "  proxy_temp_path " + prefix.resolve("proxy") + ";",
                "  fastcgi_temp_path " + prefix.resolve("fastcgi") + ";",
                "  uwsgi_temp_path " + prefix.resolve("uwsgi") + ";",
                "  scgi_temp_path " + prefix.resolve("scgi") + ";",
                http,
                "}", ""));
        Process p = new ProcessBuilder(List.of("/usr/sbin/nginx", "-p", prefix.toString(), "-c", conf.toString(), "-g",
                "daemon off;")).redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
        if (!p.isAlive()) {
            throw new IllegalStateException("nginx did not start: " + Files.readString(prefix.resolve("logs/stdout.log")));
        }
        return new TestNginx(prefix, p);
    }

    /** A file under the prefix's {@code logs/} folder. */
    public Path log(String name) {
        return prefix.resolve("logs").resolve(name);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
