package labdrop.app;

/** The pool scenarios on PostgreSQL (a new database per test, as {@link PostgresScenarioIT} makes them). */
class PostgresPoolScenarioIT extends PoolScenarioSuite {
    @Override
    String freshDatabaseUrl() throws Exception {
        return new PostgresScenarioIT().freshDatabaseUrl();
    }
}
