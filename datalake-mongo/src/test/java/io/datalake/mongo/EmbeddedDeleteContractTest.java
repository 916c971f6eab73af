package io.datalake.mongo;

/** Runs the delete suite against the shared embedded server, in every build. */
class EmbeddedDeleteContractTest extends DeleteContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }
}
