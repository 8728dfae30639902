package labdrop.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SftpGuardTest {
    @Test
    void aWriteEndingOnTheStateFileOrAResultXmlIsIngestedAtOnceAndNothingElseIs() {
        assertThat(SftpGuard.ingested("state_file")).isTrue();
        assertThat(SftpGuard.ingested("/state_file")).isTrue();
        assertThat(SftpGuard.ingested("results/r-1/result.xml")).isTrue();
        assertThat(SftpGuard.ingested("./results//r-1/result.xml")).isTrue();

        assertThat(SftpGuard.ingested(".state_file.tmp")).as("the temporary before its rename").isFalse();
        assertThat(SftpGuard.ingested("results/r-1/logs/console.log")).isFalse();
        assertThat(SftpGuard.ingested("results/r-1/cases.xml")).isFalse();
        assertThat(SftpGuard.ingested("results/result.xml")).isFalse();
        assertThat(SftpGuard.ingested("results/../state_file")).as("never a path that climbs").isFalse();
        assertThat(SftpGuard.ingested("current/r-1.xml")).isFalse();
        assertThat(SftpGuard.ingested("")).isFalse();
    }
}
