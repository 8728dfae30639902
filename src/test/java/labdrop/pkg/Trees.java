package labdrop.pkg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;

/** Source trees for package tests: a control file, an executable, nested folders, an inside link, bulk data. */
final class Trees {
    private Trees() {
    }

    static Path testTree(Path dir, int bulkBytes) throws IOException {
        Files.createDirectories(dir.resolve("src/lib"));
        Files.writeString(dir.resolve("control"), "job.run_test('dbench', seconds=60)\n");
        Path run = Files.writeString(dir.resolve("dbench.py"), "#!/usr/bin/python3\nprint('ok')\n");
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("src/lib/util.c"), "int main(void) { return 0; }\n");
        Files.createSymbolicLink(dir.resolve("src/current"), Path.of("lib"));
        byte[] bulk = new byte[bulkBytes];
        Random random = new Random(7);
        for (int i = 0; i < bulk.length; i++) {
            bulk[i] = (byte) ('a' + random.nextInt(8));
        }
        Files.write(dir.resolve("src/data.bin"), bulk);
        return dir;
    }
}
