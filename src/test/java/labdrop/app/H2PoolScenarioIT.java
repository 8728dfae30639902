package labdrop.app;

/** The pool scenarios on the default store: an embedded H2 file under the state folder. */
class H2PoolScenarioIT extends PoolScenarioSuite {
    @Override
    String freshDatabaseUrl() {
        return null;
    }
}
