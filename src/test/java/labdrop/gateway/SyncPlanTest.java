package labdrop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gateway's three-way rule for a host's current/: server, local drop, and what the gateway placed before. */
class SyncPlanTest {

    @Test
    void aNewRequestOnTheServerIsPlacedAndRemembered() {
        SyncPlan plan = SyncPlan.of(Map.of("r-1.xml", "a"), Map.of(), Map.of(), name -> false);
        assertThat(plan.download()).containsExactly("r-1.xml");
        assertThat(plan.known()).containsExactlyEntriesOf(Map.of("r-1.xml", "a"));
        assertThat(plan.removeOnServer()).isEmpty();
        assertThat(plan.deleteLocal()).isEmpty();
    }

    @Test
    void aRequestTheSutFinishedIsRemovedOnTheServerOnlyOnceItsResultHasBeenPushed() {
        Map<String, String> server = Map.of("r-1.xml", "a");
        Map<String, String> known = Map.of("r-1.xml", "a");
        SyncPlan waiting = SyncPlan.of(server, Map.of(), known, name -> true);
        assertThat(waiting.removeOnServer()).as("the result has not reached the server yet").isEmpty();
        assertThat(waiting.download()).as("nor is the finished request placed again").isEmpty();
        assertThat(waiting.known()).containsKey("r-1.xml");

        SyncPlan pushed = SyncPlan.of(server, Map.of(), known, name -> false);
        assertThat(pushed.removeOnServer()).containsExactly("r-1.xml");
        assertThat(pushed.known()).isEmpty();
    }

    @Test
    void aRequestTheServerRemovedDisappearsLocallyAndAChangedOneIsReplaced() {
        SyncPlan plan = SyncPlan.of(Map.of("r-2.xml", "new"), Map.of("r-1.xml", "a", "r-2.xml", "old"),
                Map.of("r-1.xml", "a", "r-2.xml", "old"), name -> false);
        assertThat(plan.deleteLocal()).containsExactly("r-1.xml");
        assertThat(plan.download()).containsExactly("r-2.xml");
        assertThat(plan.known()).containsExactlyEntriesOf(Map.of("r-2.xml", "new"));
        assertThat(plan.removeOnServer()).isEmpty();
    }

    @Test
    void aFileNobodyPlacedInTheLocalDropIsDeletedAndNothingIsRemovedOnTheServerForIt() {
        SyncPlan plan = SyncPlan.of(Map.of(), Map.of("r-9.xml", "forged"), Map.of(), name -> false);
        assertThat(plan.deleteLocal()).containsExactly("r-9.xml");
        assertThat(plan.removeOnServer()).isEmpty();
        assertThat(plan.known()).isEmpty();
    }

    @Test
    void aRequestPlacedBeforeACrashThatTheJournalMissedIsAdoptedNotPlacedTwice() {
        SyncPlan plan = SyncPlan.of(Map.of("r-3.xml", "c"), Map.of("r-3.xml", "c"), Map.of(), name -> false);
        assertThat(plan.download()).isEmpty();
        assertThat(plan.known()).isEqualTo(Map.of("r-3.xml", "c"));
        assertThat(Set.copyOf(plan.removeOnServer())).isEmpty();
    }
}
