package io.datalake.mongo.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.datalake.Datum;
import io.datalake.feed.FeedEvent;
import io.datalake.feed.FeedToken;
import io.datalake.feed.WatchOptions;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The change stream source against the embedded server with its oplog switched on (it then serves change streams,
 * though it does not call itself a replica set): resume tokens inside feed tokens, and the filter.
 */
class EmbeddedOplogChangeStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final MongoServer server = new MongoServer(new MemoryBackend());
    private final MongoClient client;
    private final MongoCollection<Document> ids;
    private final MongoFeed feed;

    EmbeddedOplogChangeStreamTest() {
        server.enableOplog();
        server.bind("127.0.0.1", 0);
        InetSocketAddress address = server.getLocalAddress();
        client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort());
        MongoDatabase database = client.getDatabase("oplog");
        ids = database.getCollection("datums");
        feed = new MongoFeed(ids, ids.withDocumentClass(RawBsonDocument.class),
                raw -> Datum.builder().id(raw.getObjectId("_id").getValue()).addedAt(Instant.EPOCH)
                        .metadata(Document.parse(raw.getDocument("metadata").toJson())).build(),
                Clock.systemUTC(), () -> { }, new ChangeStreams(database, true), TailFeed.WARN);
    }

    @AfterEach
    void close() {
        client.close();
        server.shutdownNow();
    }

    private Mono<ObjectId> insert(String kind) {
        ObjectId id = new ObjectId();
        return Mono.from(ids.insertOne(new Document("_id", id).append("metadata", new Document("kind", kind))))
                .thenReturn(id);
    }

    @Test
    void eventsCarryResumeTokensAndTheFilterIsApplied() {
        WatchOptions images = WatchOptions.builder().filter(Filters.eq("metadata.kind", "image")).build();
        List<ObjectId> inserted = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<FeedEvent> events = feed.watchEvents(images)
                .mergeWith(Flux.interval(Duration.ofMillis(100)).take(20)
                        .concatMap(i -> insert(i % 2 == 0 ? "image" : "label")).doOnNext(inserted::add)
                        .then(Mono.empty()))
                .take(3).collectList().block(WAIT);

        assertThat(events).extracting(e -> e.datum().metadata().get("kind")).containsOnly("image");
        assertThat(events.get(0).token().kind()).isEqualTo(FeedToken.Kind.CHANGE_STREAM);
        FeedEvent resumed = feed.watchEvents(images.toBuilder().from(FeedToken.parse(events.get(0).token().encode()))
                .build()).blockFirst(WAIT);
        assertThat(resumed.datum().id()).isEqualTo(events.get(1).datum().id());
    }
}
