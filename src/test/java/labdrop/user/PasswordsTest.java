package labdrop.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordsTest {
    @Test
    void bcryptHashesVerifyOnlyTheRightPasswordAndNeverRepeat() {
        String hash = Passwords.hash("correct horse battery".toCharArray());
        assertThat(hash).startsWith("$2b$12$").doesNotContain("correct");
        assertThat(Passwords.matches(hash, "correct horse battery".toCharArray())).isTrue();
        assertThat(Passwords.matches(hash, "correct horse batterY".toCharArray())).isFalse();
        assertThat(Passwords.hash("correct horse battery".toCharArray())).isNotEqualTo(hash);
        assertThat(Passwords.matches(null, "anything at all".toCharArray())).isFalse();
    }

    @Test
    void shortPasswordsAreRefusedAndRandomOnesAreLongAndDistinct() {
        assertThatThrownBy(() -> Passwords.hash("admin".toCharArray())).hasMessageContaining("at least 12 characters");
        assertThat(Passwords.random()).hasSize(24).isNotEqualTo(Passwords.random());
    }

    @Test
    void tokensAreStoredOnlyAsHashes() {
        String token = Tokens.newToken();
        assertThat(token).startsWith("ldt_").hasSizeGreaterThan(40);
        assertThat(Tokens.hash(token)).hasSize(64).doesNotContain(token.substring(4));
        assertThat(Tokens.newToken()).isNotEqualTo(token);
    }
}
