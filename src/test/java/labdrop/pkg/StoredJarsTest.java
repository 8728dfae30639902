package labdrop.pkg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredJarsTest {
    @TempDir
    Path dir;

    /** Bouncy Castle's jar as Maven resolved it: signed, deflated. */
    static Path signedJar() throws Exception {
        return Path.of(OpenBSDBCrypt.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    static Map<String, byte[]> contents(Path jar) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(file.entries())) {
                try (InputStream in = file.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }

    @Test
    void theCopyHoldsTheSameEntriesInOrderWithTheSameBytesAllStored() throws Exception {
        Path copy = dir.resolve("copy.jar");
        StoredJars.copy(signedJar(), copy);
        Map<String, byte[]> before = contents(signedJar());
        Map<String, byte[]> after = contents(copy);
        assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
        try (JarFile file = new JarFile(copy.toFile())) {
            assertThat(Collections.list(file.entries())).allMatch(e -> e.getMethod() == ZipEntry.STORED);
        }
        assertThat(Files.size(copy)).as("stored, not deflated").isGreaterThan(Files.size(signedJar()));
    }

    @Test
    void aSignedJarStaysSignedAndVerifies() throws Exception {
        Path copy = dir.resolve("signed.jar");
        StoredJars.copy(signedJar(), copy);
        try (JarFile file = new JarFile(copy.toFile(), true)) {
            JarEntry entry = file.getJarEntry("org/bouncycastle/crypto/generators/OpenBSDBCrypt.class");
            try (InputStream in = file.getInputStream(entry)) {
                in.readAllBytes(); // a digest that no longer matched would throw SecurityException here
            }
            assertThat(entry.getCodeSigners()).as("the signature still covers the entry").isNotEmpty();
        }
    }

    @Test
    void theSameJarGivesTheSameBytes() throws Exception {
        StoredJars.copy(signedJar(), dir.resolve("a.jar"));
        StoredJars.copy(signedJar(), dir.resolve("b.jar"));
        assertThat(Files.readAllBytes(dir.resolve("a.jar"))).isEqualTo(Files.readAllBytes(dir.resolve("b.jar")));
    }
}
