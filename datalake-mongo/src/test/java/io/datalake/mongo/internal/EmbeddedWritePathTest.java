package io.datalake.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.DatumNotFoundException;
import io.datalake.NewDatum;
import io.datalake.UndoIncompleteException;
import io.datalake.mongo.TestLakes;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How a failed, cancelled or unknown-outcome write is undone on the embedded server: nothing of a refused batch
 * stays, another writer's datum is never deleted, and no datum loses its parent through the undo.
 */
class EmbeddedWritePathTest {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void aBatchCancelledWhileItsInsertFailsIsStillRemoved() throws Exception {
        CountDownLatch inserting = new CountDownLatch(1);
        DatalakeSettings settings = TestLakes.freshSettings().batchSize(30_000).build();
        Datalake lake = open(settings, (docs, insert) -> {
            inserting.countDown();
            return insert.apply(docs);
        });
        MongoCollection<Document> raw = raw(settings);
        raw.createIndex(new Document("metadata.k", 1), new IndexOptions().unique(true));
        lake.addDatum("existing", Map.of("k", "taken")).block();
        List<NewDatum> batch = new ArrayList<>();
        for (int i = 0; i < 29_999; i++) {
            batch.add(NewDatum.of(i, Map.of("k", "k" + i)));
        }
        batch.add(NewDatum.of("late clash", Map.of("k", "taken")));

        Disposable subscription = lake.addData(Flux.fromIterable(batch)).subscribe(d -> { }, e -> { });
        assertThat(inserting.await(60, TimeUnit.SECONDS)).isTrue();
        subscription.dispose(); // the insert is in flight: the driver finishes it after the cancel

        assertThat(settlesAt(raw, 1)).as("only the datum that existed before stays").isTrue();
    }

    @Test
    void closingTheLakeWaitsForAFailingBatchToBeUndone() throws Exception {
        CountDownLatch inserting = new CountDownLatch(1);
        DatalakeSettings settings = TestLakes.freshSettings().batchSize(10_000).build();
        Datalake lake = open(settings, (docs, insert) -> {
            inserting.countDown();
            return insert.apply(docs);
        });
        MongoCollection<Document> raw = raw(settings);
        raw.createIndex(new Document("metadata.k", 1), new IndexOptions().unique(true));
        lake.addDatum("existing", Map.of("k", "taken")).block();
        List<NewDatum> batch = new ArrayList<>();
        for (int i = 0; i < 9_999; i++) {
            batch.add(NewDatum.of(i, Map.of("k", "k" + i)));
        }
        batch.add(NewDatum.of("late clash", Map.of("k", "taken")));

        lake.addData(Flux.fromIterable(batch)).subscribe(d -> { }, e -> { });
        assertThat(inserting.await(60, TimeUnit.SECONDS)).isTrue();
        lake.close();

        assertThat(raw.countDocuments()).as("closed only once the failed batch was undone").isEqualTo(1);
    }

    @Test
    void aBatchCancelledWhileItsInsertSucceedsIsStoredWholeAndFoundByItsIds() throws Exception {
        CountDownLatch inserting = new CountDownLatch(1);
        DatalakeSettings settings = TestLakes.freshSettings().batchSize(5_000).build();
        Datalake lake = open(settings, (docs, insert) -> {
            inserting.countDown();
            return insert.apply(docs);
        });
        List<ObjectId> ids = new ArrayList<>();
        List<NewDatum> data = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(new ObjectId());
            data.add(NewDatum.builder().id(ids.get(i)).data(i).build());
        }

        Disposable subscription = lake.addData(Flux.fromIterable(data)).subscribe(d -> { }, e -> { });
        assertThat(inserting.await(60, TimeUnit.SECONDS)).isTrue();
        subscription.dispose();

        assertThat(settlesAt(raw(settings), 5_000)).as("the first batch, wholly; the second is never read").isTrue();
        assertThatThrownBy(() -> lake.blocking().getData(ids))
                .isInstanceOfSatisfying(DatumNotFoundException.class,
                        e -> assertThat(e.ids()).isEqualTo(ids.subList(5_000, 10_000)));
    }

    @Test
    void anInsertOfUnknownOutcomeLeavesAnotherWritersDatumWithTheSameId() {
        ObjectId shared = new ObjectId();
        DatalakeSettings settings = TestLakes.freshSettings().build();
        AtomicBoolean injected = new AtomicBoolean();
        Document theirs = new Document("_id", shared).append("data", "theirs").append("metadata", new Document())
                .append("derived_from", null).append("added_at", new java.util.Date());
        MongoCollection<Document> raw = raw(settings);
        Datalake lake = open(settings, (docs, insert) -> {
            if (!injected.compareAndSet(false, true)) {
                return insert.apply(docs);
            }
            // The server stores the rest of the batch, another writer stores a datum under the same caller-chosen
            // id first, and the connection drops before the answer: the outcome of our insert is unknown to us.
            List<RawBsonDocument> others = new ArrayList<>();
            for (RawBsonDocument doc : docs) {
                if (!doc.getObjectId("_id").getValue().equals(shared)) {
                    others.add(doc);
                }
            }
            return Mono.fromRunnable(() -> raw.insertOne(theirs))
                    .then(Mono.from(insert.apply(others)))
                    .then(Mono.error(new MongoSocketReadException("injected: connection dropped",
                            new ServerAddress())));
        });
        // An id that requireNew sees free, then stored by someone else before our insert reaches it.
        List<NewDatum> batch = List.of(
                NewDatum.builder().data("a").build(),
                NewDatum.builder().id(shared).data("ours").build(),
                NewDatum.builder().data("c").build());

        assertThatThrownBy(() -> lake.blocking().addData(batch)).isInstanceOf(DatalakeException.class);

        assertThat(raw.find().into(new ArrayList<>())).singleElement()
                .satisfies(doc -> assertThat(doc.get("data")).as("the other writer's datum").isEqualTo("theirs"));
    }

    /**
     * Seeded stress: batches that fail at their end while child writers attach children (and grandchildren) to the
     * batch's datums as soon as they appear. No stored datum may ever point at a parent that is gone, and what the
     * undo reports as remaining is exactly what remains.
     */
    @Test
    void undoingAFailedBatchNeverOrphansAConcurrentWritersChild() throws Exception {
        Random random = new Random(20261124);
        DatalakeSettings settings = TestLakes.freshSettings().batchSize(3_000).build();
        Datalake lake = open(settings, (docs, insert) -> insert.apply(docs));
        MongoCollection<Document> raw = raw(settings);
        raw.createIndex(new Document("metadata.k", 1), new IndexOptions().unique(true).sparse(true));
        ExecutorService writers = Executors.newFixedThreadPool(4);
        int keptTotal = 0;
        int childrenTotal = 0;
        try {
            for (int round = 0; round < 5; round++) {
                lake.addDatum("existing", Map.of("k", "taken" + round)).block();
                List<ObjectId> ids = new ArrayList<>();
                List<NewDatum> batch = new ArrayList<>();
                for (int i = 0; i < 3_000; i++) {
                    ObjectId id = new ObjectId();
                    ids.add(id);
                    batch.add(NewDatum.builder().id(id).data(i)
                            .metadata(Map.of("k", i == 2_999 ? "taken" + round : round + "-" + i)).build());
                }
                AtomicBoolean done = new AtomicBoolean();
                List<ObjectId> children = new CopyOnWriteArrayList<>();
                AtomicInteger refused = new AtomicInteger();
                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    long seed = random.nextLong();
                    running.add(writers.submit(() -> {
                        Random r = new Random(seed);
                        while (!done.get()) {
                            ObjectId parent = !children.isEmpty() && r.nextInt(4) == 0
                                    ? children.get(r.nextInt(children.size()))
                                    : ids.get(r.nextInt(200));
                            try {
                                children.add(lake.addDatum(NewDatum.builder().data("child")
                                        .derivedFrom(parent).build()).block().id());
                            } catch (DatumNotFoundException notYetOrGone) {
                                refused.incrementAndGet();
                            }
                        }
                    }));
                }
                Throwable failure = null;
                try {
                    lake.addData(Flux.fromIterable(batch)).then().block();
                } catch (DatalakeException e) {
                    failure = e;
                } finally {
                    done.set(true);
                    for (Future<?> f : running) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                }
                assertThat(failure).as("round %d: the batch is refused", round).isNotNull();
                Set<ObjectId> reported = new HashSet<>();
                for (Throwable s : failure.getSuppressed()) {
                    if (s instanceof UndoIncompleteException) {
                        reported.addAll(((UndoIncompleteException) s).remaining());
                    }
                }
                Set<ObjectId> remaining = new HashSet<>();
                raw.find(new Document("_id", new Document("$in", ids))).forEach(d -> remaining.add(d.getObjectId("_id")));
                assertThat(remaining).as("round %d: what remains is what was reported", round).isEqualTo(reported);
                assertNoOrphans(raw, round);
                keptTotal += remaining.size();
                childrenTotal += children.size();
            }
        } finally {
            writers.shutdownNow();
        }
        assertThat(childrenTotal).as("the child writers did attach children during the rounds").isPositive();
        assertThat(keptTotal).as("some datums were kept for their children").isPositive();
    }

    private static void assertNoOrphans(MongoCollection<Document> raw, int round) {
        Set<Object> all = new HashSet<>();
        List<Document> docs = raw.find().into(new ArrayList<>());
        for (Document d : docs) {
            all.add(d.get("_id"));
        }
        for (Document d : docs) {
            Object parent = d.get("derived_from");
            assertThat(parent == null || all.contains(parent))
                    .as("round %d: datum %s lost its parent %s", round, d.get("_id"), parent).isTrue();
        }
    }

    /** Polls until the collection holds {@code expected} documents and keeps holding them; false on timeout. */
    private static boolean settlesAt(MongoCollection<Document> raw, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        int stable = 0;
        while (System.nanoTime() < deadline) {
            stable = raw.countDocuments() == expected ? stable + 1 : 0;
            if (stable >= 20) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** What a test does with a batch insert: {@code insert} performs the real one on the documents it is given. */
    private interface InsertHook {
        Publisher<?> apply(List<RawBsonDocument> documents, Function<List<RawBsonDocument>, Publisher<?>> insert);
    }

    /** Opens a lake whose batch inserts ({@code insertMany} with options) go through {@code hook}. */
    @SuppressWarnings("unchecked")
    private Datalake open(DatalakeSettings settings, InsertHook hook) {
        MongoDatalake lake = MongoDatalake.open(settings, collection ->
                (com.mongodb.reactivestreams.client.MongoCollection<RawBsonDocument>) Proxy.newProxyInstance(
                        EmbeddedWritePathTest.class.getClassLoader(),
                        new Class<?>[] {com.mongodb.reactivestreams.client.MongoCollection.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("insertMany") && args != null && args.length == 2) {
                                return hook.apply((List<RawBsonDocument>) args[0],
                                        docs -> (Publisher<?>) invoke(method, collection, docs, args[1]));
                            }
                            return invoke(method, collection, args);
                        }));
        toClose.add(lake);
        return lake;
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object... args) {
        try {
            return method.invoke(target, args);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException
                    ? (RuntimeException) e.getCause() : new IllegalStateException(e.getCause());
        }
    }

    private MongoCollection<Document> raw(DatalakeSettings settings) {
        MongoClient client = MongoClients.create(settings.mongoUri());
        toClose.add(client);
        return client.getDatabase(settings.database()).getCollection(settings.collection());
    }
}
