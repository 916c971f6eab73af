package io.datalake.mongo;

/** Runs the lineage suite against the shared embedded server, in every build. */
class EmbeddedLineageTest extends LineageContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }
}
