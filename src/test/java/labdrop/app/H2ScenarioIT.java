package labdrop.app;

/** The scenario suite on the default store: an embedded H2 file under the state folder. */
class H2ScenarioIT extends ScenarioSuite {
    @Override
    String freshDatabaseUrl() {
        return null;
    }
}
