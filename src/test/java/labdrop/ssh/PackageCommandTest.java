package labdrop.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import labdrop.error.BadInputException;
import org.junit.jupiter.api.Test;

/** {@code labdrop-package FILE SHA256 OFFSET}: exactly three words of the rule, or refused. */
class PackageCommandTest {
    static final String SHA = "ab".repeat(32);

    @Test
    void aWellFormedRequestIsParsed() {
        assertThat(PackageCommand.matches("labdrop-package test-x.tar.bz2 " + SHA + " 0")).isTrue();
        assertThat(PackageCommand.matches("rsync --server -r . x")).isFalse();
        assertThat(PackageCommand.parse("labdrop-package test-x.tar.bz2 " + SHA + " 1024"))
                .isEqualTo(new PackageCommand.Asked("test-x.tar.bz2", SHA, 1024));
    }

    @Test
    void anythingElseIsRefused() {
        for (String line : new String[] {
                "labdrop-package test-x.tar.bz2 " + SHA,
                "labdrop-package test-x.tar.bz2 " + SHA + " 0 extra",
                "labdrop-package ../../etc/passwd " + SHA + " 0",
                "labdrop-package test-x.tar.bz2;id " + SHA + " 0",
                "labdrop-package test-x.tar.bz2 " + SHA.toUpperCase() + " 0",
                "labdrop-package test-x.tar.bz2 " + SHA + " -1",
                "labdrop-package test-x.tar.bz2 " + SHA + " 99999999999999999999"}) {
            assertThatThrownBy(() -> PackageCommand.parse(line)).as(line).isInstanceOf(BadInputException.class);
        }
    }
}
