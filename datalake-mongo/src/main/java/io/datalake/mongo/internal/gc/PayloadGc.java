package io.datalake.mongo.internal.gc;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.type;
import static com.mongodb.client.model.Projections.fields;
import static com.mongodb.client.model.Projections.excludeId;
import static com.mongodb.client.model.Projections.include;

import com.mongodb.ReadPreference;
import com.mongodb.client.cursor.TimeoutMode;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.RegistryNotAllowedException;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.gc.RegistryGcReport;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.ServerFailures;
import io.datalake.registry.BlobInfo;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.Registries;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryUris;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonType;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One payload garbage collection. Memory is bounded: a {@link KeyFilter Bloom filter} of the referenced keys
 * (built from one streamed projection of the datum collection; ~1.8 MB per million registry datums), the distinct
 * registry URIs of stored datums (at most {@link #MAX_DISTINCT_URIS}) and one batch of candidates. Per registry:
 * list the objects with their times; an object outside the lake's key format, of unknown age, younger than the grace
 * period, or possibly referenced (in the filter) is kept; the rest are candidates, which per batch are claimed in
 * {@link GcRecords}, re-checked against the datums with one {@code registry_key $in} query, and deleted one by one
 * through a compare-and-set {@code CLAIMED -> DELETING} that a writer's cancellation defeats.
 */
public final class PayloadGc {
    private static final Logger LOG = LoggerFactory.getLogger(PayloadGc.class);
    /** Distinct {@code registry_uri} strings remembered from the datum scan; a larger variety is logged. */
    static final int MAX_DISTINCT_URIS = 10_000;
    /** Index that serves the re-check on real MongoDB (the embedded server ignores it). */
    static final String KEY_INDEX = "registry_key_gc";
    private static final double FALSE_POSITIVE_RATE = 0.001;
    private static final int DELETE_CONCURRENCY = 8;
    private static final int ERROR_SAMPLES = 5;

    private final MongoCollection<Document> datums;
    private final MongoCollection<Document> records;
    private final DatalakeSettings settings;
    private final Registries registries;
    private final Clock clock;

    /**
     * Creates a run.
     *
     * @param datums the datum collection (any read preference; the primary is used)
     * @param records the {@link GcRecords} collection
     * @param settings the lake's settings (default registry, time limit, clock)
     * @param registries the lake's registries with its allow-list
     */
    public PayloadGc(MongoCollection<Document> datums, MongoCollection<Document> records, DatalakeSettings settings,
            Registries registries) {
        this.datums = datums.withReadPreference(ReadPreference.primary());
        this.records = records;
        this.settings = settings;
        this.registries = registries;
        this.clock = settings.clock();
    }

    /**
     * Runs the collection.
     *
     * @param options the options
     * @return the report
     */
    public Mono<GcReport> run(GcOptions options) {
        return Mono.defer(() -> {
            Instant start = clock.instant();
            Instant cutoff = start.minus(options.grace());
            Scan scan = new Scan();
            Mono<Void> prepare = options.dryRun() ? Mono.empty() : ensureIndex().then(prune(start));
            return prepare
                    .then(Mono.from(datums.estimatedDocumentCount()))
                    .flatMap(count -> scanDatums(scan, count))
                    .then(Mono.fromCallable(() -> openRegistries(scan)).subscribeOn(Schedulers.boundedElastic()))
                    .flatMap(opened -> Flux.fromIterable(opened.backends)
                            .concatMap(backend -> collect(backend, scan.filter, cutoff, options))
                            .collectList()
                            .map(reports -> new GcReport(options.dryRun(), options.grace(), scan.datums.get(), reports,
                                    opened.skipped, Duration.between(start, clock.instant()))))
                    .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate("gc", e));
        });
    }

    private Mono<Void> ensureIndex() {
        return Mono.from(datums.createIndex(Indexes.ascending(DatumFields.REGISTRY_KEY), new IndexOptions()
                .name(KEY_INDEX)
                .partialFilterExpression(type(DatumFields.REGISTRY_KEY, BsonType.STRING))))
                .then()
                // An operator's own index on registry_key (another name or options) serves the re-check as well.
                .onErrorResume(e -> !(e instanceof Error), e -> {
                    LOG.warn("gc: could not create index {} on registry_key ({}); re-checks may scan", KEY_INDEX,
                            e.toString());
                    return Mono.empty();
                });
    }

    /**
     * Drops records older than the retention window (deleted objects, claims of runs that died), and settles a
     * {@code DELETING} older than twice the operation time limit as {@code DELETED}: its run's delete was bounded by
     * that limit, so the run died (a writer then checks the object instead of waiting, as it would itself).
     */
    private Mono<Void> prune(Instant now) {
        return Mono.from(records.deleteMany(lt(GcRecords.AT, Date.from(now.minus(GcRecords.RETENTION)))))
                .then(Mono.from(records.updateMany(and(eq(GcRecords.STATE, GcRecords.DELETING),
                                lt(GcRecords.AT, Date.from(now.minus(settings.operationTimeout().multipliedBy(2))))),
                        Updates.set(GcRecords.STATE, GcRecords.DELETED))))
                .then();
    }

    /** What the datum scan collected: the filter of referenced keys and the registry URIs stored datums name. */
    private static final class Scan {
        @Nullable KeyFilter filter;
        final Set<String> uris = new LinkedHashSet<>();
        final AtomicLong datums = new AtomicLong();
        boolean tooManyUris;
    }

    private Mono<Void> scanDatums(Scan scan, long estimatedCount) {
        KeyFilter filter = KeyFilter.forKeys(estimatedCount, FALSE_POSITIVE_RATE);
        scan.filter = filter;
        // Every getMore is bounded by the time limit, not the whole scan (a million datums take longer).
        return Flux.from(datums.find(type(DatumFields.REGISTRY_KEY, BsonType.STRING))
                        .projection(fields(include(DatumFields.REGISTRY_KEY, DatumFields.REGISTRY_URI), excludeId()))
                        .timeoutMode(TimeoutMode.ITERATION)
                        .batchSize(5_000))
                .doOnNext(doc -> {
                    scan.datums.incrementAndGet();
                    filter.add(doc.getString(DatumFields.REGISTRY_KEY));
                    if (doc.get(DatumFields.REGISTRY_URI) instanceof String uri && !scan.uris.contains(uri)) {
                        if (scan.uris.size() < MAX_DISTINCT_URIS) {
                            scan.uris.add(uri);
                        } else if (!scan.tooManyUris) {
                            scan.tooManyUris = true;
                            LOG.warn("gc: more than {} distinct registry_uri values in stored datums; registries named"
                                    + " only beyond that are not collected this run", MAX_DISTINCT_URIS);
                        }
                    }
                })
                .then();
    }

    private record Opened(List<RegistryBackend> backends, List<String> skipped) {
    }

    /** The default registry and every allowed registry stored datums name; a stored URI never opens anything else. */
    private Opened openRegistries(Scan scan) {
        Map<String, RegistryBackend> backends = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        String defaultRegistry = settings.registry().defaultRegistry();
        if (defaultRegistry != null) {
            RegistryBackend backend = registries.resolve(defaultRegistry);
            backends.put(backend.uri(), backend);
        }
        for (String uri : scan.uris) {
            try {
                RegistryBackend backend = registries.resolveStored(uri);
                backends.putIfAbsent(backend.uri(), backend);
            } catch (RegistryNotAllowedException e) {
                String shown = RegistryUris.redact(uri);
                LOG.warn("gc: skipping registry {} named by stored datums: not on this lake's allow-list", shown);
                skipped.add(shown);
            }
        }
        return new Opened(new ArrayList<>(backends.values()), skipped);
    }

    /** Counters of one registry. */
    private static final class Tally {
        final AtomicLong scanned = new AtomicLong();
        final AtomicLong referenced = new AtomicLong();
        final AtomicLong young = new AtomicLong();
        final AtomicLong unknownAge = new AtomicLong();
        final AtomicLong foreign = new AtomicLong();
        final AtomicLong deleted = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final List<String> samples = new ArrayList<>();

        synchronized void error(String message) {
            errors.incrementAndGet();
            if (samples.size() < ERROR_SAMPLES) {
                samples.add(message);
            }
        }
    }

    private Mono<RegistryGcReport> collect(RegistryBackend backend, @Nullable KeyFilter filter, Instant cutoff,
            GcOptions options) {
        return Mono.defer(() -> {
            Instant started = clock.instant();
            Tally tally = new Tally();
            Duration timeout = settings.operationTimeout();
            return backend.listInfo("")
                    // Time-bounded per object: a listing of any length, but never a stalled one.
                    .timeout(timeout)
                    .filter(info -> {
                        tally.scanned.incrementAndGet();
                        if (ContentAddressedRegistry.hashOfKey(info.key()) == null) {
                            tally.foreign.incrementAndGet();
                            return false;
                        }
                        Instant modified = info.lastModified();
                        if (modified == null) {
                            tally.unknownAge.incrementAndGet();
                            return false;
                        }
                        if (modified.isAfter(cutoff)) {
                            tally.young.incrementAndGet();
                            return false;
                        }
                        if (filter != null && filter.mightContain(info.key())) {
                            tally.referenced.incrementAndGet();
                            return false;
                        }
                        return true;
                    })
                    .buffer(options.batchSize())
                    .concatMap(batch -> candidates(backend, batch, options.dryRun(), tally)
                            .onErrorResume(e -> {
                                tally.error("batch of " + batch.size() + " candidates: " + e.getMessage());
                                return Mono.empty();
                            }))
                    .then(Mono.fromCallable(() -> new RegistryGcReport(backend.uri(), tally.scanned.get(),
                            tally.referenced.get(), tally.young.get(), tally.unknownAge.get(), tally.foreign.get(),
                            tally.deleted.get(), tally.bytes.get(), tally.errors.get(), tally.samples,
                            Duration.between(started, clock.instant()))))
                    .onErrorResume(e -> !(e instanceof Error),
                            e -> {
                                tally.error("listing failed: " + e.getMessage());
                                return Mono.just(new RegistryGcReport(backend.uri(), tally.scanned.get(),
                                        tally.referenced.get(), tally.young.get(), tally.unknownAge.get(),
                                        tally.foreign.get(), tally.deleted.get(), tally.bytes.get(), tally.errors.get(),
                                        tally.samples, Duration.between(started, clock.instant())));
                            });
        });
    }

    /** The keys among {@code keys} that some datum references now (any registry: keys are content hashes). */
    private Mono<Set<String>> referenced(List<String> keys) {
        return Flux.from(datums.find(and(type(DatumFields.REGISTRY_KEY, BsonType.STRING),
                                in(DatumFields.REGISTRY_KEY, keys)))
                        .projection(fields(include(DatumFields.REGISTRY_KEY), excludeId())))
                .map(doc -> doc.getString(DatumFields.REGISTRY_KEY))
                .collect(HashSet::new, Set::add);
    }

    private Mono<Void> candidates(RegistryBackend backend, List<BlobInfo> batch, boolean dryRun, Tally tally) {
        List<String> keys = new ArrayList<>(batch.size());
        for (BlobInfo info : batch) {
            keys.add(info.key());
        }
        if (dryRun) {
            return referenced(keys).doOnNext(refs -> {
                for (BlobInfo info : batch) {
                    if (refs.contains(info.key())) {
                        tally.referenced.incrementAndGet();
                    } else {
                        tally.deleted.incrementAndGet();
                        tally.bytes.addAndGet(Math.max(info.size(), 0));
                    }
                }
            }).then();
        }
        ObjectId gen = new ObjectId();
        String uri = backend.uri();
        List<UpdateOneModel<Document>> claims = new ArrayList<>(batch.size());
        for (BlobInfo info : batch) {
            claims.add(new UpdateOneModel<>(eq(GcRecords.ID, GcRecords.id(uri, info.key())),
                    Updates.combine(Updates.set(GcRecords.STATE, GcRecords.CLAIMED), Updates.set(GcRecords.GEN, gen),
                            Updates.set(GcRecords.AT, Date.from(clock.instant())), Updates.set(GcRecords.URI, uri),
                            Updates.set(GcRecords.KEY, info.key())),
                    new UpdateOptions().upsert(true)));
        }
        // Claim, then re-check: a datum inserted before the re-check is seen; one inserted after it is inserted
        // after the claim, so its writer finds the claim.
        return Mono.from(records.bulkWrite(claims))
                .then(Mono.defer(() -> referenced(keys)))
                .flatMap(refs -> {
                    List<String> release = new ArrayList<>();
                    List<BlobInfo> doomed = new ArrayList<>();
                    for (BlobInfo info : batch) {
                        if (refs.contains(info.key())) {
                            release.add(GcRecords.id(uri, info.key()));
                        } else {
                            doomed.add(info);
                        }
                    }
                    tally.referenced.addAndGet(release.size());
                    Mono<Void> released = release.isEmpty() ? Mono.empty()
                            : Mono.from(records.deleteMany(and(in(GcRecords.ID, release), eq(GcRecords.GEN, gen))))
                                    .then();
                    return released.thenMany(Flux.fromIterable(doomed)
                                    .flatMap(info -> delete(backend, info, gen, tally), DELETE_CONCURRENCY))
                            .then();
                });
    }

    private Mono<Void> delete(RegistryBackend backend, BlobInfo info, ObjectId gen, Tally tally) {
        String id = GcRecords.id(backend.uri(), info.key());
        Duration timeout = settings.operationTimeout();
        return Mono.from(records.updateOne(
                        and(eq(GcRecords.ID, id), eq(GcRecords.GEN, gen), eq(GcRecords.STATE, GcRecords.CLAIMED)),
                        Updates.combine(Updates.set(GcRecords.STATE, GcRecords.DELETING),
                                Updates.set(GcRecords.AT, Date.from(clock.instant())))))
                .flatMap(result -> {
                    if (result.getModifiedCount() != 1) {
                        // A writer cancelled the claim (it references the object now) or another run took it over.
                        tally.referenced.incrementAndGet();
                        return Mono.empty();
                    }
                    // Only keys the listing returned reach the backend's delete.
                    return backend.delete(info.key()).timeout(timeout)
                            .then(Mono.fromRunnable(() -> {
                                tally.deleted.incrementAndGet();
                                tally.bytes.addAndGet(Math.max(info.size(), 0));
                            }))
                            .onErrorResume(e -> {
                                tally.error("delete of " + info.key() + ": " + e.getMessage());
                                return Mono.empty();
                            })
                            // DELETED even after a failed delete: a writer waiting on DELETING then checks the
                            // object and stores it again if it is gone.
                            .then(Mono.from(records.updateOne(and(eq(GcRecords.ID, id), eq(GcRecords.GEN, gen)),
                                    Updates.combine(Updates.set(GcRecords.STATE, GcRecords.DELETED),
                                            Updates.set(GcRecords.AT, Date.from(clock.instant())))))
                                    .then());
                })
                .onErrorResume(e -> !(e instanceof Error), e -> {
                    tally.error("claim of " + info.key() + ": " + e.getMessage());
                    return Mono.empty();
                });
    }
}
