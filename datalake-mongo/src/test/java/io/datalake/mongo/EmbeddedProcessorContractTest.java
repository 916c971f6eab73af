package io.datalake.mongo;

/** Runs the processor suite against the shared embedded server, in every build. */
class EmbeddedProcessorContractTest extends ProcessorContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }
}
