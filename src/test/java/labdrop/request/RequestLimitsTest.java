package labdrop.request;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import labdrop.error.BadInputException;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {

    static RequestSpec spec(List<TestSpec> tests, String kernel, Integer timeout) {
        return new RequestSpec("sut-01", "bob", tests, Priority.NORMAL, false, kernel, null, timeout, null);
    }

    static TestSpec test(List<String> args) {
        return new TestSpec("dbench", null, args, null);
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        assertThatCode(() -> RequestLimits.check(spec(Collections.nCopies(RequestLimits.MAX_TESTS,
                test(Collections.nCopies(RequestLimits.MAX_ARGS, "-v"))), "k".repeat(RequestLimits.MAX_TEXT),
                RequestLimits.MAX_TIMEOUT_SECONDS))).doesNotThrowAnyException();
        assertThatCode(() -> RequestLimits.check(spec(List.of(test(List.of("tab\there", "ünïcødé 🚀"))), null, 1)))
                .doesNotThrowAnyException();
    }

    @Test
    void eachLimitIsRefusedOneOverWithTheRule() {
        assertThatThrownBy(() -> RequestLimits.check(spec(Collections.nCopies(1001, test(List.of())), null, null)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("1001 tests; at most 1000");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(Collections.nCopies(101, "-v"))), null, null)))
                .hasMessageContaining("101 arguments; at most 100");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(List.of("x".repeat(1001)))), null, null)))
                .hasMessageContaining("argument 1").hasMessageContaining("longer than 1000");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(Collections.nCopies(5, "y".repeat(900)))), null, null)))
                .hasMessageContaining("4504 characters of arguments");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(List.of())), "k".repeat(1001), null)))
                .hasMessageContaining("kernel-install step");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(List.of())), null, 0))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(List.of())), null, -1))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(List.of())), null, RequestLimits.MAX_TIMEOUT_SECONDS + 1)))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(new TestSpec("dbench", null, List.of(), 0)), null, null)))
                .hasMessageContaining("test 1 (dbench) timeout");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(List.of("a\u001fb"))), null, null)))
                .hasMessageContaining("control character (code 31)");
        assertThatThrownBy(() -> RequestLimits.check(spec(List.of(test(List.of("lone \ud800"))), null, null)))
                .hasMessageContaining("control character");
    }
}
