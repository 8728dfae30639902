package labdrop.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import labdrop.pkg.PackageBuilder;
import labdrop.pkg.PackageFile;
import labdrop.pkg.PackageFormat;
import labdrop.pkg.PackageType;
import labdrop.pkg.Repository;

/**
 * Publishes {@code test-smoke}, a real test package whose {@code run} script does what its
 * arguments say: {@code pass}, {@code fail} (exit 3), {@code sleep N}, {@code reboot N} (ask for
 * reboots until LABDROP_REBOOTCOUNT reaches N), {@code count FILE} (append a line per run),
 * {@code spew N} (N bytes of output), {@code oomadj FILE} (write the test's oom_score_adj), {@code hog}
 * (take memory until the kernel kills it: {@code tail} keeps an endless line of /dev/zero).
 */
public final class SmokePackage {
    static final String RUN = """
            #!/bin/sh
            echo "smoke $* rebootcount=$LABDROP_REBOOTCOUNT request=$LABDROP_REQUEST"
            while [ $# -gt 0 ]; do
              case "$1" in
                fail) echo "smoke failed on purpose" >&2; exit 3 ;;
                sleep) sleep "$2"; shift ;;
                spew) head -c "$2" /dev/zero | tr '\\0' x; shift ;;
                oomadj) cat /proc/self/oom_score_adj > "$2"; shift ;;
                hog) exec tail /dev/zero ;;
                count) echo "run $LABDROP_REQUEST $LABDROP_REBOOTCOUNT" >> "$2"; shift ;;
                reboot) if [ "$LABDROP_REBOOTCOUNT" -lt "$2" ]; then touch "$LABDROP_REBOOT_FILE"; fi; shift ;;
              esac
              shift
            done
            exit 0
            """;

    private SmokePackage() {
    }

    public static void publish(Path repository, String name, int padFiles) throws IOException {
        Path src = Files.createTempDirectory("labdrop-smoke");
        Path run = Files.writeString(src.resolve("run"), RUN);
        run.toFile().setExecutable(true);
        Random random = new Random(padFiles);
        byte[] noise = new byte[256];
        for (int i = 0; i < padFiles; i++) {
            random.nextBytes(noise);
            Files.write(src.resolve("data-" + i + ".bin"), noise);
        }
        new PackageBuilder(PackageBuilder.DEFAULT_MTIME, 1)
                .build(src, new PackageFile(PackageType.TEST, name, PackageFormat.BZ2), repository);
        new Repository(repository).index();
    }
}
