package io.datalake.mongo.internal.processor;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lte;

import com.mongodb.ReadPreference;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.InvalidArgumentException;
import io.datalake.processor.DeadLetter;
import io.datalake.processor.Processor;
import io.datalake.processor.ProcessorOptions;
import io.datalake.processor.ProcessorRun;
import io.datalake.processor.ProcessorStatus;
import io.datalake.processor.Processors;
import io.datalake.query.engine.ServerFailures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Processors on MongoDB: runs workers ({@link ProcessorWorker}) and reports from the lease and registration
 * collections. Every collection runs under the lake's (or view's) operation time limit and reads from the primary:
 * a lease decision needs to see every acknowledged write.
 */
public final class MongoProcessors implements Processors {
    private static final Logger LOG = LoggerFactory.getLogger(MongoProcessors.class);
    /** Dead letters put back per update. */
    private static final int RETRY_BATCH = 1000;

    private final Datalake lake;
    private final DatalakeSettings settings;
    private final MongoCollection<Document> datums;
    private final MongoCollection<Document> leases;
    private final Registrations registrations;
    private final boolean useFeed;

    /**
     * The processors of a lake.
     *
     * @param database the lake's database
     * @param settings the lake's (or view's) settings: collection name, clock, batch size, operation time limit
     * @param lake the lake, for queries, reads, writes and the change feed
     * @param useFeed whether continuous runs follow the change feed (else they poll their input query)
     */
    public MongoProcessors(MongoDatabase database, DatalakeSettings settings, Datalake lake, boolean useFeed) {
        long ms = settings.operationTimeout().toMillis();
        String base = settings.collection();
        this.lake = lake;
        this.settings = settings;
        this.useFeed = useFeed;
        this.datums = collection(database, base, ms);
        this.leases = collection(database, base + Leases.SUFFIX, ms);
        this.registrations = new Registrations(collection(database, base + Registrations.SUFFIX, ms), leases);
    }

    private static MongoCollection<Document> collection(MongoDatabase database, String name, long ms) {
        return database.getCollection(name).withReadPreference(ReadPreference.primary())
                .withTimeout(ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public ProcessorRun backfill(Processor processor, ProcessorOptions options) {
        return start(processor, options, false);
    }

    @Override
    public ProcessorRun run(Processor processor, ProcessorOptions options) {
        return start(processor, options, true);
    }

    private ProcessorRun start(Processor processor, ProcessorOptions options, boolean continuous) {
        if (processor == null || options == null) {
            throw new InvalidArgumentException("processor and options must not be null");
        }
        InputQuery inputs = new InputQuery(lake, datums, processor.input());
        FeedUnits feed = continuous && useFeed ? new LakeFeed(lake, inputs, options, processor.key()) : null;
        ProcessorWorker worker = new ProcessorWorker(processor, options, lake, datums,
                new Leases(leases, processor.key()), registrations, inputs, feed, continuous, settings.clock(),
                settings.batchSize());
        worker.start();
        return worker;
    }

    /** {@code NAME@VERSION}, checked as {@link Processor#builder} checks them. */
    private static String key(String name, String version) {
        return Processor.builder(name, version).input(io.datalake.processor.ProcessorInput.matching("{}"))
                .function(row -> Flux.empty()).build().key();
    }

    @Override
    public Flux<ProcessorStatus> list() {
        return Flux.defer(() -> Flux.from(registrations.collection().find().sort(Sorts.ascending("name", "version"))))
                .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate(
                        "listing processors", e))
                .concatMap(this::status);
    }

    @Override
    public Mono<ProcessorStatus> status(String name, String version) {
        String key = key(name, version);
        return Mono.defer(() -> Mono.from(registrations.collection().find(eq("_id", key)).first()))
                .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate(
                        "reading processor " + key, e))
                .flatMap(this::status);
    }

    /** The status of one registration document; empty (with a warning) when the document is malformed. */
    private Mono<ProcessorStatus> status(Document reg) {
        Object id = reg.get("_id");
        Object name = reg.get(Registrations.NAME);
        Object version = reg.get(Registrations.VERSION);
        Object input = reg.get(Registrations.INPUT);
        Object active = reg.get(Registrations.LAST_ACTIVE_AT);
        if (!(name instanceof String n) || !(version instanceof String v) || !(n + "@" + v).equals(id)
                || !Processor.NAME.matcher(n).matches() || !Processor.NAME.matcher(v).matches()) {
            LOG.warn("skipping malformed processor registration {}", id);
            return Mono.empty();
        }
        String key = n + "@" + v;
        Instant now = settings.clock().instant();
        Mono<Document> counts = Flux.from(leases.aggregate(List.of(Aggregates.match(eq(Leases.P, key)),
                        Aggregates.group("$" + Leases.STATE, Accumulators.sum("n", 1)))))
                .collect(Document::new, (doc, group) -> {
                    if (group.get("_id") instanceof String state && group.get("n") instanceof Number count) {
                        doc.put(state, count.longValue());
                    }
                });
        // A lease past its end is no longer held by anyone: it waits for a worker to take it over.
        Mono<Long> expired = Mono.from(leases.countDocuments(and(eq(Leases.P, key), eq(Leases.STATE, Leases.LEASED),
                lte(Leases.UNTIL, Date.from(now)))));
        return Mono.zip(counts, expired)
                .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate(
                        "counting the leases of processor " + key, e))
                .map(t -> {
                    Document c = t.getT1();
                    long leased = Math.max(0, count(c, Leases.LEASED) - t.getT2());
                    return new ProcessorStatus(n, v, input instanceof String s ? s : "", count(c, Leases.DONE),
                            leased, count(c, Leases.PENDING) + t.getT2(), count(c, Leases.DEAD),
                            active instanceof Date d ? d.toInstant() : null);
                });
    }

    private static long count(Document counts, String state) {
        return counts.get(state) instanceof Long l ? l : 0;
    }

    @Override
    public Flux<DeadLetter> deadLetters(String name, String version) {
        String key = key(name, version);
        return Flux.defer(() -> Flux.from(leases.find(and(eq(Leases.P, key), eq(Leases.STATE, Leases.DEAD)))
                        .sort(Sorts.ascending(Leases.AT, Leases.ID))))
                .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate(
                        "listing the dead letters of processor " + key, e))
                .mapNotNull(doc -> deadLetter(name, version, key, doc));
    }

    private static @Nullable DeadLetter deadLetter(String name, String version, String key, Document doc) {
        Lease lease = Lease.parse(key, doc);
        if (lease == null) {
            return null;
        }
        Object error = doc.get(Leases.ERROR);
        Object at = doc.get(Leases.AT);
        String type = error instanceof Document e && e.get("type") instanceof String t ? t : "unknown";
        String message = error instanceof Document e && e.get("message") instanceof String m ? m : "";
        return new DeadLetter(name, version, lease.input(), lease.attempts(), lease.failures(), type, message,
                at instanceof Date d ? d.toInstant() : Instant.EPOCH);
    }

    @Override
    public Mono<Long> retryDeadLetters(String name, String version, @Nullable List<ObjectId> inputs) {
        String key = key(name, version);
        if (inputs != null) {
            for (ObjectId input : inputs) {
                if (input == null) {
                    throw new InvalidArgumentException("retryDeadLetters: inputs must not contain null");
                }
            }
        }
        Bson reset = Updates.combine(Updates.set(Leases.STATE, Leases.PENDING), Updates.set(Leases.ATTEMPTS, 0),
                Updates.set(Leases.FAILURES, 0), Updates.set(Leases.UNTIL, new Date(0)),
                Updates.set(Leases.AT, Date.from(settings.clock().instant())), Updates.unset(Leases.ERROR),
                Updates.unset(Leases.TAKE), Updates.unset(Leases.OWNER));
        Bson dead = and(eq(Leases.P, key), eq(Leases.STATE, Leases.DEAD));
        List<Bson> filters = new ArrayList<>();
        if (inputs == null) {
            filters.add(dead);
        } else {
            for (List<ObjectId> batch : ProcessorWorker.partition(inputs, RETRY_BATCH)) {
                List<String> ids = new ArrayList<>(batch.size());
                for (ObjectId input : batch) {
                    ids.add(Leases.leaseId(key, input));
                }
                filters.add(and(dead, in(Leases.ID, ids)));
            }
        }
        return Flux.fromIterable(filters)
                .concatMap(filter -> Mono.from(leases.updateMany(filter, reset)))
                .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate(
                        "putting back the dead letters of processor " + key, e))
                .map(r -> r.getModifiedCount())
                .reduce(0L, Long::sum);
    }
}
