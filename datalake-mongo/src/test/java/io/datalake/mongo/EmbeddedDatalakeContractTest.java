package io.datalake.mongo;

/** Runs the contract suite against the shared embedded server, in every build. */
class EmbeddedDatalakeContractTest extends DatalakeContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }
}
