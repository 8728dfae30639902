package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DownloadHashTest {
    @TempDir
    Path dir;

    /** openssl; sha256sum; none (the JVM); programs that fail, answer nothing, or answer something else (an MD5). */
    static Stream<String> programs() {
        return Stream.of("/usr/bin/openssl dgst -sha256 -r", "/usr/bin/sha256sum", "", "/bin/false", "/bin/true",
                "/usr/bin/md5sum", "/usr/bin/openssl dgst -md5 -r");
    }

    @ParameterizedTest
    @MethodSource("programs")
    void givesTheFilesSha256WhateverTheProgramDoes(String program) throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(19).nextBytes(data);
        Path file = Files.write(dir.resolve("pkg.part"), data);
        String expected = HexFormat.of().formatHex(PackageDigest.newSha256().digest(data));
        try (DownloadHash hash = DownloadHash.start(program.isEmpty() ? Optional.empty() : Optional.of(List.of(program.split(" "))))) {
            for (int off = 0; off < data.length; off += 65536) {
                hash.update(data, off, Math.min(65536, data.length - off));
            }
            assertThat(hash.size()).isEqualTo(data.length);
            assertThat(hash.hex(file)).isEqualTo(expected);
        }
    }

    @Test
    void opensslIsPreferredWhereTheSutHasIt() {
        assertThat(Path.of("/usr/bin/openssl")).as("the test machine's openssl (ca-certificates depends on it)").isExecutable();
        assertThat(DownloadHash.system()).contains(List.of("/usr/bin/openssl", "dgst", "-sha256", "-r"));
    }

    @Test
    void theProgramsAnswerIsTakenWithoutReadingTheFileAgain() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(5).nextBytes(data);
        try (DownloadHash hash = DownloadHash.start(DownloadHash.system())) {
            hash.update(data, 0, data.length);
            // the JVM would have to read the file to hash it; there is none
            assertThat(hash.hex(dir.resolve("never-written"))).isEqualTo(HexFormat.of().formatHex(PackageDigest.newSha256().digest(data)));
        }
    }

    @Test
    void aFlippedByteGivesAnotherHash() throws Exception {
        Optional<List<String>> program = DownloadHash.system();
        assertThat(program).as("openssl or coreutils' sha256sum").isPresent();
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        String expected = HexFormat.of().formatHex(PackageDigest.newSha256().digest(data));
        data[12345] ^= 1;
        Path file = Files.write(dir.resolve("pkg.part"), data);
        try (DownloadHash hash = DownloadHash.start(program)) {
            hash.update(data, 0, data.length);
            assertThat(hash.hex(file)).isNotEqualTo(expected).hasSize(64);
        }
    }

    @Test
    void closingAnUnfinishedHashStopsTheProgram() throws Exception {
        Optional<List<String>> program = DownloadHash.system();
        assertThat(program).as("openssl or coreutils' sha256sum").isPresent();
        DownloadHash hash = DownloadHash.start(program);
        hash.update(new byte[100], 0, 100);
        String name = Path.of(program.get().get(0)).getFileName().toString();
        ProcessHandle child = ProcessHandle.current().children().filter(p -> p.info().command().orElse("").endsWith(name))
                .findFirst().orElseThrow();
        hash.close();
        assertThat(child.onExit().get().isAlive()).isFalse();
    }
}
