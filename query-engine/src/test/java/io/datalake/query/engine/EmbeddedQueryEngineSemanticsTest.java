package io.datalake.query.engine;

import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;

/** Runs the query semantics on the shared embedded server, in every build. */
class EmbeddedQueryEngineSemanticsTest extends QueryEngineSemanticsContract {
    @Override
    protected MongoCollection<Document> freshCollection() {
        return EmbeddedServer.freshCollection();
    }
}
