package labdrop.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DirectionsTest {

    @Test
    void defaultsTextIsItselfValidAndSetsEveryKey() {
        Directions.Parsed parsed = Directions.parse("default", Directions.defaultsText());
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.values().keySet())
                .containsExactlyElementsOf(Directions.KEYS.stream().map(Directions.Key::name).toList());
    }

    @Test
    void reportsEveryProblemWithSourceLineAndKey() {
        String text = "auto_retrieve = maybe\nbogus = 1\nno equals sign\nmax_load = 2.5\nmax_load = 3\n"
                + "fetch_location = ftp://x\naccept_from = alice, bob\n";
        Directions.Parsed parsed = Directions.parse("sut-01/config/directions", text);
        assertThat(parsed.isValid()).isFalse();
        assertThat(parsed.problems()).containsExactly(
                "sut-01/config/directions:1: key 'auto_retrieve' has the value 'maybe', which is not true or false",
                "sut-01/config/directions:2: unknown key 'bogus'; known keys: auto_retrieve, accept_from, self_reboot,"
                        + " kernel_install, build_set, fetch_location, max_load",
                "sut-01/config/directions:3: 'no equals sign' is not key = value",
                "sut-01/config/directions:5: key 'max_load' is set twice; keep one",
                "sut-01/config/directions:6: key 'fetch_location' has the value 'ftp://x', which is not"
                        + " comma-separated http://, https:// or file:// URLs");
        assertThat(parsed.values()).containsEntry("max_load", "2.5").containsEntry("accept_from", "alice, bob");
    }
}
