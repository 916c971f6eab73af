package io.datalake.mongo;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * Runs the processor suite against a real MongoDB 7 in a container. Skipped (not failed) where Docker is not
 * available.
 */
@Testcontainers(disabledWithoutDocker = true)
class MongoContainerProcessorContractIT extends ProcessorContract {
    @Container
    private static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7");

    @Override
    protected String connectionString() {
        return MONGO.getConnectionString();
    }
}
