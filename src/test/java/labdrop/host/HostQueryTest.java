package labdrop.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import labdrop.error.BadInputException;
import org.junit.jupiter.api.Test;

class HostQueryTest {
    static HostQuery parse(Map<String, String> parameters) {
        return HostQuery.parse(parameters::get);
    }

    static Host host(String name, String type, String labels, HostState state) {
        return new Host(name, type, labels, null, false, state, null, -1, null, null, null, null, null, null, null, null,
                null, HostHealth.UNKNOWN);
    }

    @Test
    void noParametersIsTheFirstPageOfEveryHostGroupedByType() {
        HostQuery q = parse(Map.of());

        assertThat(q).isEqualTo(HostQuery.all());
        assertThat(q.offset()).isZero();
        assertThat(q.queryString()).isEmpty();
    }

    @Test
    void aPageNarrowedAndGroupedReadsBackAsTheSameQueryString() {
        HostQuery q = parse(Map.of("type", "arm-board", "state", "running", "label", "big_mem", "group", "labels",
                "page", "3", "size", "50"));

        assertThat(q.state()).isEqualTo(HostState.RUNNING);
        assertThat(q.offset()).isEqualTo(100);
        assertThat(q.queryString()).isEqualTo("type=arm-board&state=Running&label=big_mem&group=labels&page=3&size=50");
        assertThat(parse(Map.of("type", "arm-board", "state", "Running", "label", "big_mem", "group", "labels", "page", "3",
                "size", "50"))).isEqualTo(q);
    }

    @Test
    void pagesCoverEveryMatchingHostAndAnEmptyLabHasOneEmptyPage() {
        HostQuery q = HostQuery.all();

        assertThat(q.pages(0)).isEqualTo(1);
        assertThat(q.pages(100)).isEqualTo(1);
        assertThat(q.pages(101)).isEqualTo(2);
        assertThat(q.pages(10_000)).isEqualTo(100);
        assertThat(q.onPage(100).offset()).isEqualTo(9_900);
    }

    @Test
    void outOfRangeOrMalformedParametersAreRefusedNamingTheParameterAndTheRule() {
        assertThatThrownBy(() -> parse(Map.of("page", "0"))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("page 0").hasMessageContaining("1 to 100000");
        assertThatThrownBy(() -> parse(Map.of("page", "x"))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("page 'x' is not a whole number");
        assertThatThrownBy(() -> parse(Map.of("size", "501"))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("1 to 500");
        assertThatThrownBy(() -> parse(Map.of("group", "owner"))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("type, state, labels");
        assertThatThrownBy(() -> parse(Map.of("state", "asleep"))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("Available");
        assertThatThrownBy(() -> parse(Map.of("label", "a%' or 1=1 --"))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("label");
        assertThatThrownBy(() -> parse(Map.of("type", "../x"))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("host type");
    }

    @Test
    void aHostMatchesByTypeStateAndOneOfItsLabelsAndFallsInOneGroup() {
        Host h = host("sut-1", "arm", "big, gpu", HostState.RUNNING);
        HostQuery q = new HostQuery("arm", HostState.RUNNING, "gpu", HostQuery.Group.LABELS, 1, 100);

        assertThat(q.matches(h)).isTrue();
        assertThat(new HostQuery(null, null, "bi", HostQuery.Group.TYPE, 1, 100).matches(h)).as("a label, not part of one").isFalse();
        assertThat(new HostQuery(null, HostState.AVAILABLE, null, HostQuery.Group.TYPE, 1, 100).matches(h)).isFalse();
        assertThat(HostQuery.Group.LABELS.of(h)).isEqualTo("big,gpu");
        assertThat(HostQuery.Group.LABELS.of(host("sut-2", "arm", "", HostState.RUNNING))).isEqualTo("(no labels)");
        assertThat(HostQuery.Group.STATE.of(h)).isEqualTo("Running");
        assertThat(HostQuery.Group.TYPE.of(h)).isEqualTo("arm");
    }
}
