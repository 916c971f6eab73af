package io.datalake.query.engine;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.bson.BsonDocument;
import org.bson.Document;

/**
 * Test fixture: one in-process MongoDB-compatible server per JVM, a client that records every command it sends,
 * and a fresh collection per call so tests never see each other's datums.
 */
final class EmbeddedServer {
    private static final AtomicInteger COLLECTIONS = new AtomicInteger();
    private static final List<Command> COMMANDS = new CopyOnWriteArrayList<>();
    private static volatile MongoClient client;

    private EmbeddedServer() {
    }

    static synchronized MongoClient client() {
        if (client == null) {
            MongoServer server = new MongoServer(new MemoryBackend());
            server.bind("127.0.0.1", 0);
            InetSocketAddress address = server.getLocalAddress();
            CommandListener recorder = new CommandListener() {
                @Override
                public void commandStarted(CommandStartedEvent event) {
                    // The event's document is only valid during the callback: keep a copy.
                    COMMANDS.add(new Command(event.getDatabaseName(), event.getCommandName(),
                            event.getCommand().clone()));
                }
            };
            client = MongoClients.create(MongoClientSettings.builder()
                    .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + address.getPort()))
                    .addCommandListener(recorder)
                    .build());
            MongoClient c = client;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                c.close();
                server.shutdownNow();
            }, "embedded-mongo-shutdown"));
        }
        return client;
    }

    /** Returns a new, empty collection in its own database. */
    static MongoCollection<Document> freshCollection() {
        return client().getDatabase("qe_" + COLLECTIONS.incrementAndGet()).getCollection("Datum");
    }

    /** One command sent to the server. */
    record Command(String database, String name, BsonDocument body) {
    }

    /** Returns the names of the commands sent to a collection's database since the test began. */
    static List<String> commandsOn(MongoCollection<?> collection) {
        String db = collection.getNamespace().getDatabaseName();
        return COMMANDS.stream()
                .filter(e -> e.database().equals(db))
                .map(Command::name)
                .collect(Collectors.toList());
    }

    /** Returns the commands sent to a collection's database, with their bodies. */
    static List<Command> eventsOn(MongoCollection<?> collection) {
        String db = collection.getNamespace().getDatabaseName();
        return COMMANDS.stream().filter(e -> e.database().equals(db)).collect(Collectors.toList());
    }
}
