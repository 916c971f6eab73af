package io.datalake.query.engine;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.testcontainers.mongodb.MongoDBContainer;

/**
 * Test fixture for the {@code *IT} suites: one real MongoDB 7 container per JVM, started on first use and shared
 * by every suite, and a fresh database per collection. Only touched by classes annotated
 * {@code @Testcontainers(disabledWithoutDocker = true)}, so nothing starts where Docker is missing.
 */
final class ContainerServer {
    /** The image the suites run against: the oldest MongoDB the project supports is 6, this is the current LTS. */
    static final String IMAGE = "mongo:7";

    private static final AtomicInteger COLLECTIONS = new AtomicInteger();
    private static MongoClient client;

    private ContainerServer() {
    }

    private static synchronized MongoClient client() {
        if (client == null) {
            MongoDBContainer container = new MongoDBContainer(IMAGE);
            container.start();
            MongoClient c = MongoClients.create(container.getConnectionString());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                c.close();
                container.stop();
            }, "mongo-container-shutdown"));
            client = c;
        }
        return client;
    }

    /** Returns a new, empty collection in its own database of the container. */
    static MongoCollection<Document> freshCollection() {
        return client().getDatabase("qe_it_" + COLLECTIONS.incrementAndGet()).getCollection("Datum");
    }
}
