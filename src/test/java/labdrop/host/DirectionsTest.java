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

    @Test
    void aTypeFileMayNameAHealthCheckThatNewHostsDirectionsLeaveOut() {
        String type = Directions.typeDefaultsText().replace("health_check = ", "health_check = boot-check, usb:-d /dev/sda")
                .replace("health_interval = 0", "health_interval = 12h");
        Directions.Parsed parsed = Directions.parseType("host-types/rpi4", type);
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.values()).containsEntry("health_check", "boot-check, usb:-d /dev/sda")
                .containsEntry("health_interval", "12h").containsEntry("health_after_errors", "3");

        String host = Directions.hostPart(type);
        assertThat(Directions.parse("sut-01/config/directions", host).problems()).as("what a new host starts with").isEmpty();
        assertThat(host).doesNotContain("health").contains("max_load = 0");
        assertThat(Directions.hostPart(Directions.typeDefaultsText())).isEqualTo(Directions.defaultsText());
        assertThat(Directions.parse("sut-01/config/directions", "health_check = boot-check\n").problems())
                .as("a host's directions may not set a type's health check").singleElement().asString()
                .contains("unknown key 'health_check'");
    }

    @Test
    void aTypesHealthKeysAreBounded() {
        assertThat(Directions.parseType("t", "health_interval = 30s\nhealth_after_errors = 0\nhealth_check = a b\n")
                .problems()).containsExactly(
                "t:1: key 'health_interval' has the value '30s', which is not 0 (none), or a duration from 1m to 365d such as 12h",
                "t:2: key 'health_after_errors' has the value '0', which is not a whole number from 1 to 100",
                "t:3: key 'health_check' has the value 'a b', which is not empty, or up to 20 comma-separated tests"
                        + " NAME[:ARGS] (arguments without commas)");
        assertThat(Directions.parseType("t", "health_check = " + "t,".repeat(20) + "t\n").isValid())
                .as("21 tests").isFalse();
        assertThat(Directions.parseType("t", "health_check = " + "t,".repeat(19) + "t\n").isValid()).isTrue();
    }
}
