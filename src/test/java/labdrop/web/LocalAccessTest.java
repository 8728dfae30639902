package labdrop.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import labdrop.error.BadInputException;
import labdrop.user.Role;
import labdrop.user.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of the server host's key (docs/cli.md "On the server host"): who it admits, and which file is believed. */
class LocalAccessTest {
    @TempDir
    Path state;
    final LocalAccess access = LocalAccess.generate();

    @Test
    void theKeyAdmitsAnAdminNamedByTheCallerOnTheLoopbackConnectorOnly() {
        String key = access.encodedKey();
        assertThat(access.caller("local", key, "alice")).contains(new User("alice", Role.ADMIN, true));
        assertThat(access.caller(null, key, "alice")).isEmpty();
        assertThat(access.caller("local", key + "x", "alice")).isEmpty();
        assertThat(access.caller("local", "", "alice")).isEmpty();
        assertThat(LocalAccess.generate().encodedKey()).isNotEqualTo(key);
    }

    @Test
    void whoActsMustBeNamed() {
        String key = access.encodedKey();
        for (String bad : new String[] {null, " ", "a".repeat(LocalAccess.MAX_NAME + 1), "alice\nadmin"}) {
            assertThatThrownBy(() -> access.caller("local", key, bad)).isInstanceOf(BadInputException.class)
                    .hasMessageContaining(LocalAccess.AS_HEADER);
        }
        // a wrong key says nothing about the header
        assertThat(access.caller("local", "wrong", null)).isEmpty();
    }

    @Test
    void aFileIsBelievedWhileItsProcessLivesAndItsPortAnswers() throws Exception {
        Path file = state.resolve(LocalAccess.FILE);
        assertThat(LocalAccess.running(state)).isEmpty();
        long me = ProcessHandle.current().pid();
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = listening.getLocalPort();
            Files.writeString(file, "url = http://127.0.0.1:" + port + "\npid = " + me + "\nkey = k\n");
            assertThat(LocalAccess.running(state)).hasValueSatisfying(e -> {
                assertThat(e.url()).isEqualTo("http://127.0.0.1:" + port);
                assertThat(e.authorization()).isEqualTo("Local k");
            });
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            Files.writeString(file, "url = http://127.0.0.1:" + port + "\npid = " + gone.pid() + "\nkey = k\n");
            assertThat(LocalAccess.running(state)).as("its process is gone").isEmpty();
            // only a loopback address is ever believed
            Files.writeString(file, "url = http://192.0.2.1:" + port + "\npid = " + me + "\nkey = k\n");
            assertThat(LocalAccess.running(state)).isEmpty();
            Files.writeString(file, "garbage");
            assertThat(LocalAccess.running(state)).isEmpty();
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Files.writeString(file, "url = http://127.0.0.1:" + closed + "\npid = " + me + "\nkey = k\n");
        assertThat(LocalAccess.running(state)).as("nothing listens").isEmpty();
    }
}
