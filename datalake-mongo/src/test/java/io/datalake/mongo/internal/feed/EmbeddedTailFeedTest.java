package io.datalake.mongo.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.feed.FeedEvent;
import io.datalake.mongo.TestLakes;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

/** The polling tail's backpressure and late-datum reporting, with ids and the watcher's clock under control. */
class EmbeddedTailFeedTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Datalake lake = TestLakes.newLake();
    private final MongoCollection<Document> ids = TestLakes.documents(lake);
    private final MongoCollection<RawBsonDocument> documents = ids.withDocumentClass(RawBsonDocument.class);
    private final Queue<ObjectId> late = new ConcurrentLinkedQueue<>();
    private final List<Disposable> subscriptions = new ArrayList<>();

    @AfterEach
    void close() {
        subscriptions.forEach(Disposable::dispose);
        lake.close();
    }

    private TailFeed feed(Clock clock, Duration window, int batchSize) {
        return new TailFeed(ids, documents, EmbeddedTailFeedTest::decode, clock, new BsonDocument(), 7L, window,
                Duration.ofMillis(5), batchSize, (datum, threshold) -> late.add(datum.id()), () -> { });
    }

    private static Datum decode(RawBsonDocument raw) {
        return Datum.builder().id(raw.getObjectId("_id").getValue()).addedAt(Instant.EPOCH).build();
    }

    private static ObjectId idAt(long seconds, int n) {
        return new ObjectId(ByteBuffer.allocate(12).putInt((int) seconds).putInt(0x5eed).putInt(n).array());
    }

    private void insert(ObjectId id) {
        Mono.from(ids.insertOne(new Document("_id", id).append("added_at", new java.util.Date()))).block(WAIT);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aSlowSubscriberMakesTheFeedReadOnePageAtATimeNotEverything() throws InterruptedException {
        long now = Instant.now().getEpochSecond();
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            docs.add(new Document("_id", idAt(now - 100, i)));
        }
        Mono.from(ids.insertMany(docs)).block(WAIT);
        TailFeed tail = feed(Clock.systemUTC(), Duration.ofSeconds(10), 100);
        AtomicInteger received = new AtomicInteger();
        BaseSubscriber<FeedEvent> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(25);
            }

            @Override
            protected void hookOnNext(FeedEvent value) {
                received.incrementAndGet();
            }
        };
        tail.events(TailState.beginning()).limitRate(10).subscribe(slow);
        subscriptions.add(slow);

        await(() -> received.get() == 25);
        Thread.sleep(300); // room for reads a broken feed would make ahead of demand; the assertions need no timing
        assertThat(received.get()).isEqualTo(25);
        assertThat(tail.pagesRead()).isEqualTo(1);
        assertThat(tail.datumsRead()).isEqualTo(100);

        slow.request(100);
        await(() -> received.get() == 125);
        Thread.sleep(300);
        assertThat(tail.pagesRead()).isEqualTo(2);
        assertThat(tail.datumsRead()).isEqualTo(200);
    }

    @Test
    void aDatumVisibleOnlyAfterTheFeedPassedItsWindowIsReportedAndDelivered() throws InterruptedException {
        MutableClock watcher = new MutableClock(Instant.ofEpochSecond(1_000_000_000L));
        TailFeed tail = feed(watcher, Duration.ofSeconds(10), 100);
        TailState start = tail.now().block(WAIT);
        Queue<ObjectId> delivered = new ConcurrentLinkedQueue<>();
        subscriptions.add(tail.events(start).subscribe(event -> delivered.add(event.datum().id())));
        ObjectId onTime = idAt(1_000_000_000L, 1);
        insert(onTime);
        await(() -> delivered.contains(onTime));

        // The watcher's clock moves on 100 s; two scans later every read starts at 100 s - 10 s.
        watcher.set(Instant.ofEpochSecond(1_000_000_100L));
        ObjectId marker = idAt(1_000_000_100L, 2);
        insert(marker);
        await(() -> delivered.contains(marker));
        long pages = tail.pagesRead();
        await(() -> tail.pagesRead() >= pages + 2);

        // Stamped 15 s before the watcher's now, so 5 s below the window: a writer far behind, or a slow insert.
        ObjectId tooLate = idAt(1_000_000_085L, 3);
        insert(tooLate);
        await(() -> delivered.contains(tooLate));

        assertThat(late).containsExactly(tooLate);
        assertThat(delivered).containsExactly(onTime, marker, tooLate);
    }

    /** A clock the test moves. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
