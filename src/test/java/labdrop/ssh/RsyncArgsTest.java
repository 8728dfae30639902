package labdrop.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rrsync-style check of 'rsync --server' command lines, and the jail's path rules. */
class RsyncArgsTest {
    private static final Path DROP = Path.of("/srv/drop");
    private final Jail host = new Jail(new Login("sut-a", "host", List.of("sut-a"), "SHA256:x"));
    private final Jail lab = new Jail(new Login("lab-east", "lab", List.of("sut-a", "sut-c"), "SHA256:y"));

    @Test
    void theAgentsOwnCommandLinesPassAndAreJailed() throws Exception {
        RsyncArgs.Checked pull = RsyncArgs.check("rsync --server --sender -rte.LsfxCIvu --timeout=60 . /", host, DROP, 100);
        assertThat(pull.receiver()).isFalse();
        assertThat(pull.args()).containsExactly("--server", "--sender", "-rte.LsfxCIvu", "--timeout=60", ".", "/srv/drop/sut-a/");
        RsyncArgs.Checked state = RsyncArgs.check("rsync --server -te.LsfxCIvu --timeout=60 . /state_file", host, DROP, 100);
        assertThat(state.args()).endsWith("--max-size=100", "--chmod=ugo-st,go-w", ".", "/srv/drop/sut-a/state_file");
        RsyncArgs.Checked results = RsyncArgs.check("rsync --server -rte.LsfxCIvu --mkpath . /results/r-1/", host, DROP, 100);
        assertThat(results.args()).endsWith("/srv/drop/sut-a/results/r-1/");
        RsyncArgs.Checked root = RsyncArgs.check("rsync --server -tce.LsfxCIvu . /", host, DROP, 100);
        assertThat(root.stateOnly()).as("a push to the folder itself is staged, state_file only").isTrue();
        assertThat(state.stateOnly()).as("a push to state_file is staged too: only a regular file stands there").isTrue();
        assertThat(results.stateOnly()).isFalse();
        assertThat(results.args()).as("no setuid, setgid, sticky or group/world-writable mode is stored")
                .contains("--chmod=ugo-st,go-w");
        RsyncArgs.Checked delete = RsyncArgs.check("rsync --server -re.LsfxCIvu --delete . /current/", host, DROP, 100);
        assertThat(delete.args()).contains("--existing", "--ignore-existing");
    }

    @Test
    void linksDevicesOwnersAndGroupsAreStripped() throws Exception {
        RsyncArgs.Checked checked = RsyncArgs.check("rsync --server -logDtprHe.LsfxCIvu . /results/r-1/", host, DROP, 100);
        assertThat(checked.args().get(1)).isEqualTo("-tpre.LsfxCIvu");
    }

    @Test
    void everythingElseIsRefusedWithTheReason() {
        for (String line : List.of("ls /", "sh -c id", "rsync --daemon", "rsync --server --sender -r . /../sut-b/",
                "rsync --server -r . /config/directions", "rsync --server -r . /current/r-9.xml/..",
                "rsync --server --files-from=/etc/passwd -r . /results/", "rsync --server --remove-source-files --sender -r . /",
                "rsync --server --temp-dir=/tmp -r . /results/", "rsync --server --inplace -r . /state_file",
                "rsync --server -r . /state_file; cat /etc/passwd", "rsync --server -r . /results/$(id)",
                "rsync --server -r . /results/a /results/b", "rsync --server -r . -results", "rsync --server -re.LsfxC!Ivu . /",
                "rsync --server -bre.LsfxCIvu . /", "rsync --server -r --backup . /results/",
                "rsync --server -r --suffix=~ . /results/", "rsync --server -r --backup-dir=old . /results/",
                "rsync --server -r --chmod=u+s . /results/")) {
            assertThatThrownBy(() -> RsyncArgs.check(line, host, DROP, 100)).as(line).isInstanceOf(RsyncArgs.Refused.class);
        }
    }

    @Test
    void aLabWorksInOneOfItsHostsAtATime() throws Exception {
        assertThat(RsyncArgs.check("rsync --server --sender -r . /sut-c/", lab, DROP, 1).args())
                .endsWith("/srv/drop/sut-c/");
        assertThatThrownBy(() -> RsyncArgs.check("rsync --server --sender -r . /sut-b/", lab, DROP, 1))
                .hasMessageContaining("outside this login's folders");
        assertThatThrownBy(() -> RsyncArgs.check("rsync --server --sender -r . /", lab, DROP, 1))
                .hasMessageContaining("lab's root");
        assertThatThrownBy(() -> RsyncArgs.check("rsync --server --sender -r . /sut-a/ /sut-c/", lab, DROP, 1))
                .hasMessageContaining("one host folder");
    }

    @Test
    void theJailsWriteRules() {
        assertThat(host.mayWrite("/state_file")).isTrue();
        assertThat(host.mayWrite("/.state_file.tmp")).isTrue();
        assertThat(host.mayWrite("/results/r-1/logs/x")).isTrue();
        assertThat(host.mayWrite("/config/directions")).isFalse();
        assertThat(host.mayWrite("/current/r-1.xml")).isFalse();
        assertThat(host.mayRemove("/current/r-1.xml")).isTrue();
        assertThat(host.mayRemove("/current/sub/r-1.xml")).isFalse();
        assertThat(host.mayRemove("/config/directions")).isFalse();
        assertThat(host.mayMakeFolder("/results/r-1")).isTrue();
        assertThat(host.mayMakeFolder("/config/x")).isFalse();
        assertThat(host.mayRead("/../sut-b/state_file")).isFalse();
        assertThat(lab.mayRead("/sut-b/state_file")).isFalse();
        assertThat(lab.mayWrite("/sut-c/state_file")).isTrue();
        assertThat(lab.mayWrite("/state_file")).isFalse();
    }
}
