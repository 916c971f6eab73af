package io.datalake.mongo;

/** Runs the garbage-collection suite against the shared embedded server, in every build. */
class EmbeddedGcContractTest extends GcContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }
}
