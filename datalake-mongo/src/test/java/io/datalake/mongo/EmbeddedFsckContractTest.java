package io.datalake.mongo;

/** Runs the fsck suite against the shared embedded server, in every build. */
class EmbeddedFsckContractTest extends FsckContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }
}
