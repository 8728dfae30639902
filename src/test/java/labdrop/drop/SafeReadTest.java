package labdrop.drop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import labdrop.error.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeReadTest {
    @TempDir
    Path tmp;

    @Test
    void readsARegularFileUnderTheCap() throws Exception {
        Path drop = Files.createDirectories(tmp.resolve("drop/sut-01"));
        Files.writeString(drop.resolve("state_file"), "<state/>");
        assertThat(SafeRead.read(tmp.resolve("drop"), drop.resolve("state_file"), 100)).asString().isEqualTo("<state/>");
    }

    @Test
    void refusesASymbolicLinkEvenToAReadableFile() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "password");
        Path host = Files.createDirectories(tmp.resolve("drop/sut-01"));
        Files.createSymbolicLink(host.resolve("state_file"), secret);
        assertThatThrownBy(() -> SafeRead.read(tmp.resolve("drop"), host.resolve("state_file"), 100))
                .isInstanceOf(BadInputException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void refusesAFileReachedThroughALinkedFolder() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("state_file"), "<state/>");
        Files.createDirectories(tmp.resolve("drop"));
        Files.createSymbolicLink(tmp.resolve("drop/sut-01"), outside);
        assertThatThrownBy(() -> SafeRead.read(tmp.resolve("drop"), tmp.resolve("drop/sut-01/state_file"), 100))
                .isInstanceOf(BadInputException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void refusesAFileOverTheCapNamingItsSizeAndTheCap() throws Exception {
        Path host = Files.createDirectories(tmp.resolve("drop/sut-01"));
        Files.write(host.resolve("state_file"), new byte[1000]);
        assertThatThrownBy(() -> SafeRead.read(tmp.resolve("drop"), host.resolve("state_file"), 999))
                .hasMessageContaining("1000 bytes").hasMessageContaining("cap of 999 bytes");
    }
}
