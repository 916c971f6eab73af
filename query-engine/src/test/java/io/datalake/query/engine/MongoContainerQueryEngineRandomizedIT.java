package io.datalake.query.engine;

import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Runs the differential tests against the reference evaluator on a real MongoDB 7 in a container, so nothing
 * relies on an embedded-server quirk.
 * Skipped (not failed) where Docker is not available.
 */
@Testcontainers(disabledWithoutDocker = true)
class MongoContainerQueryEngineRandomizedIT extends QueryEngineRandomizedContract {
    @Override
    protected MongoCollection<Document> freshCollection() {
        return ContainerServer.freshCollection();
    }
}
