package io.datalake.mongo;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * Runs the change feed contract against a real MongoDB 7 in a container, a one-node replica set: positions taken
 * "now" follow a change stream. Skipped (not failed) where Docker is not available.
 */
@Testcontainers(disabledWithoutDocker = true)
class MongoContainerChangeFeedIT extends ChangeFeedContract {
    @Container
    private static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7");

    @Override
    protected String connectionString() {
        return MONGO.getConnectionString();
    }

    @Override
    protected boolean offersChangeStreams() {
        return true;
    }
}
