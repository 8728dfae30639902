package labdrop.drop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import labdrop.error.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"..", "../etc", "a/b", "/etc", "sut\u0000x", "%2e%2e", "..%2f", "Sut-01", "", " sut",
            ".hidden", "-dash", "sut 01", "sut\n01"})
    void refusesHostileOrMalformedNamesNamingTheInputAndTheRule(String name) {
        assertThatThrownBy(() -> Names.require("host name", name))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("host name '")
                .hasMessageContaining(Names.RULE)
                .hasMessageNotContaining("\u0000")
                .hasMessageNotContaining("\n01");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sut-01", "a", "0", "db.lab_3", "x23456789012345678901234567890123456789012345678901234567890123"})
    void acceptsNamesThatMatchTheRule(String name) {
        assertThat(Names.require("host name", name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(ints = {81, 300, 100_000})
    void refusesOverLongNamesAndCutsThemInTheMessage(int length) {
        String name = "a".repeat(length);
        assertThatThrownBy(() -> Names.require("request id", name))
                .hasMessageContaining("request id 'aaaa")
                .hasMessageContaining("(" + length + " characters)")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(500));
    }

    @Test
    void refusesSixtyFourCharactersOneOverTheLimit() {
        assertThatThrownBy(() -> Names.require("host name", "a".repeat(64))).isInstanceOf(BadInputException.class);
    }
}
