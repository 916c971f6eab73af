package io.datalake.mongo;

/** Runs the dataset suite against the shared embedded server, in every build. */
class EmbeddedDatasetContractTest extends DatasetContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }
}
