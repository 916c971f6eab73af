package io.datalake.mongo;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.mongo.internal.MongoDatalake;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bson.Document;

/**
 * Test fixture: one embedded MongoDB server per JVM, shared by every test, and a fresh database per lake so tests
 * never see each other's datums. Published in this module's test-jar for the other modules' tests.
 */
public final class TestLakes {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile EmbeddedMongo server;

    private TestLakes() {
    }

    /**
     * Returns the connection string of the shared embedded server, starting it on first use.
     *
     * @return a {@code mongodb://127.0.0.1:port} URI
     */
    public static String connectionString() {
        EmbeddedMongo s = server;
        if (s == null) {
            synchronized (TestLakes.class) {
                s = server;
                if (s == null) {
                    s = EmbeddedMongo.start();
                    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "embedded-mongo-shutdown"));
                    server = s;
                }
            }
        }
        return s.connectionString();
    }

    /**
     * Returns settings for a fresh, empty database on the shared server.
     *
     * @return a builder; callers may change anything but the URI and database
     */
    public static DatalakeSettings.Builder freshSettings() {
        return DatalakeSettings.builder()
                .mongoUri(connectionString())
                .database("test_" + DATABASES.incrementAndGet());
    }

    /**
     * Opens a lake on a fresh database of the shared server.
     *
     * @return the lake; close it when done (the server keeps running)
     */
    public static Datalake newLake() {
        return Datalakes.create(freshSettings().build());
    }

    /**
     * Opens a lake on a fresh database with customized settings.
     *
     * @param customizer changes to the settings (clock, batch size, collection, ...)
     * @return the lake
     */
    public static Datalake newLake(Consumer<DatalakeSettings.Builder> customizer) {
        DatalakeSettings.Builder builder = freshSettings();
        customizer.accept(builder);
        return Datalakes.create(builder.build());
    }

    /**
     * Returns the collection of datum documents behind a lake opened by this fixture, for tests that insert or read
     * stored documents as another client of the same collection would. Other modules' tests use this instead of the
     * store's internal classes.
     *
     * @param lake a lake from {@link #newLake} (or {@link Datalakes#create}), not a wrapper around one
     * @return the lake's own collection; it stays usable until the lake is closed
     * @throws IllegalArgumentException if the lake is not the MongoDB store
     */
    public static MongoCollection<Document> documents(Datalake lake) {
        if (!(lake instanceof MongoDatalake mongo)) {
            throw new IllegalArgumentException("not a lake opened by Datalakes.create: " + lake.getClass().getName());
        }
        return mongo.documents();
    }
}
