package io.datalake.mongo;

/** Runs the schema suite against the shared embedded server, in every build. */
class EmbeddedSchemaContractTest extends SchemaContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }
}
