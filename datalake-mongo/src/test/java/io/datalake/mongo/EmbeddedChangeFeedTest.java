package io.datalake.mongo;

/** The change feed contract on the embedded server, which has no change streams: the polling tail. */
class EmbeddedChangeFeedTest extends ChangeFeedContract {
    @Override
    protected String connectionString() {
        return TestLakes.connectionString();
    }

    @Override
    protected boolean offersChangeStreams() {
        return false;
    }
}
