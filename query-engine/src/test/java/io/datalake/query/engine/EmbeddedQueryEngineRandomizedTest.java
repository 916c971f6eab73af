package io.datalake.query.engine;

import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;

/** Runs the differential tests against the reference evaluator on the shared embedded server, in every build. */
class EmbeddedQueryEngineRandomizedTest extends QueryEngineRandomizedContract {
    @Override
    protected MongoCollection<Document> freshCollection() {
        return EmbeddedServer.freshCollection();
    }
}
