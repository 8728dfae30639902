package labdrop.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import labdrop.drop.xml.ResultDoc;

/** The SUT's distribution and installed-package list (dpkg or rpm), saved with every result. */
final class Sysinfo {
    static final String DISTRIBUTION = "distribution.txt";
    static final String PACKAGES = "packages.txt";

    private Sysinfo() {
    }

    static void record(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path osRelease = Path.of("/etc/os-release");
        String distribution = "unknown";
        if (Files.isRegularFile(osRelease)) {
            for (String line : Files.readAllLines(osRelease, StandardCharsets.UTF_8)) {
                if (line.startsWith("PRETTY_NAME=")) {
                    distribution = line.substring("PRETTY_NAME=".length()).replace("\"", "").strip();
                }
            }
        }
        Files.writeString(dir.resolve(DISTRIBUTION), distribution + "\n", StandardCharsets.UTF_8);
        String[] command = Files.isExecutable(Path.of("/usr/bin/dpkg-query"))
                ? new String[] {"dpkg-query", "-W", "-f", "${Package} ${Version} ${Architecture}\\n"}
                : Files.isExecutable(Path.of("/usr/bin/rpm")) ? new String[] {"rpm", "-qa"} : null;
        Path list = dir.resolve(PACKAGES);
        if (command == null) {
            Files.writeString(list, "(neither dpkg nor rpm found)\n");
            return;
        }
        Process process = new ProcessBuilder(command).redirectOutput(list.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
    }

    static ResultDoc.Sysinfo summary(Path dir) throws IOException {
        ResultDoc.Sysinfo info = new ResultDoc.Sysinfo();
        Path distribution = dir.resolve(DISTRIBUTION);
        if (Files.isRegularFile(distribution)) {
            String text = Files.readString(distribution, StandardCharsets.UTF_8).strip();
            info.distribution = text.length() > 200 ? text.substring(0, 200) : text;
        }
        if (Files.isRegularFile(dir.resolve(PACKAGES))) {
            info.packageList = "sysinfo/" + PACKAGES;
        }
        return info;
    }
}
