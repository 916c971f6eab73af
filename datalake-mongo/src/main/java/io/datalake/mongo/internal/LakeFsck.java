package io.datalake.mongo.internal;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatalakeException;
import io.datalake.Datum;
import io.datalake.MalformedDatumException;
import io.datalake.PayloadInfo;
import io.datalake.RegistryException;
import io.datalake.RegistryNotAllowedException;
import io.datalake.dataset.MalformedDatasetException;
import io.datalake.dataset.Row;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionNotFoundException;
import io.datalake.dataset.VersionState;
import io.datalake.fsck.FsckFinding;
import io.datalake.fsck.FsckFinding.Kind;
import io.datalake.fsck.FsckOptions;
import io.datalake.fsck.FsckProgress;
import io.datalake.fsck.FsckReport;
import io.datalake.mongo.internal.dataset.MongoDatasets;
import io.datalake.mongo.internal.schema.MongoSchemas;
import io.datalake.query.engine.ServerFailures;
import io.datalake.registry.BlobStat;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryUris;
import io.datalake.schema.DatumViolations;
import io.datalake.schema.MalformedSchemaException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.bson.BsonObjectId;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The lake's read-only consistency check ({@code fsck}). One pass over the datum collection in {@code _id} order, a
 * page at a time (each page one bounded query, at most {@link FsckOptions#pageSize()} documents or
 * {@value #PAGE_BYTES} bytes, read whole before it is checked);
 * per page: every document decoded as {@code getDatum} would (unreadable ones are findings), the page's registry
 * objects looked up (or read and hashed) with bounded parallelism, the page's missing parents found with one
 * {@code $in}, readable datums validated against their kinds' schemas, and any payload or parent finding re-checked
 * against a datum deleted meanwhile. Then documents whose {@code _id} is not an ObjectId, then the rows of every
 * draft and published dataset version, a chunk at a time, their ids looked up in batches. Nothing is written.
 *
 * <p>Memory: two pages of documents, {@value #OBJECT_CACHE_ENTRIES} remembered object results (so an object shared
 * by many datums is usually looked up once), one batch of {@value #ROW_BATCH} rows and the report's details.
 */
final class LakeFsck {
    private static final Logger LOG = LoggerFactory.getLogger(LakeFsck.class);
    /** The smallest ObjectId: the first page starts there, so only ObjectId {@code _id}s match and the index serves. */
    private static final ObjectId MIN_ID = new ObjectId("000000000000000000000000");
    /** A page ends early once its documents hold this many bytes, so pages of large inline datums stay bounded. */
    static final long PAGE_BYTES = 16L * 1024 * 1024;
    /** Object results remembered (least recently used dropped first): ~0.5 KB each. */
    static final int OBJECT_CACHE_ENTRIES = 16_384;
    /** Stored registry URIs whose allow-list answer is remembered. */
    private static final int URI_CACHE_ENTRIES = 256;
    /** Dataset rows whose ids are looked up with one {@code $in}. */
    static final int ROW_BATCH = 1000;
    /** Dataset version ids listed per call. */
    private static final int VERSION_PAGE = 100;
    /**
     * The {@code $type} aliases of every {@code _id} type other than ObjectId that MongoDB and the embedded server
     * both know ({@code number} covers int, long, double and decimal). Arrays and regular expressions cannot be
     * {@code _id}s; the deprecated symbol, JavaScript and DBPointer types are not looked for.
     */
    private static final List<String> FOREIGN_ID_TYPES = List.of("number", "string", "object", "binData", "bool",
            "date", "timestamp", "null", "minKey", "maxKey");
    /** A content-addressed key ends in the SHA-256 of the object. */
    private static final Pattern HASH_KEY = Pattern.compile("(?:.*/)?([0-9a-f]{64})");
    private static final Document ID_ONLY = new Document(DatumEntity.ID, 1);

    private final MongoCollection<RawBsonDocument> encoded;
    private final Codec<DatumEntity> codec;
    private final PayloadStore payloads;
    private final MongoSchemas schemas;
    private final Supplier<MongoDatasets> datasets;
    private final Duration timeout;
    private final Runnable requireOpen;

    /**
     * Creates the check of one lake (or view).
     *
     * @param encoded the datum collection, read as raw documents, under the lake's operation time limit
     * @param codec Morphia's codec of the datum entity
     * @param payloads the lake's payload store (registries and allow-list)
     * @param schemas the lake's schemas
     * @param datasets the lake's datasets
     * @param timeout the operation time limit, also applied to each registry metadata lookup
     * @param requireOpen fails when the lake is closed
     */
    LakeFsck(MongoCollection<RawBsonDocument> encoded, Codec<DatumEntity> codec, PayloadStore payloads,
            MongoSchemas schemas, Supplier<MongoDatasets> datasets, Duration timeout,
            Runnable requireOpen) {
        this.encoded = encoded;
        this.codec = codec;
        this.payloads = payloads;
        this.schemas = schemas;
        this.datasets = datasets;
        this.timeout = timeout;
        this.requireOpen = requireOpen;
    }

    /** See {@link io.datalake.Datalake#fsck(FsckOptions)}. */
    Flux<FsckFinding> findings(FsckOptions options) {
        if (options == null) {
            return Flux.error(new io.datalake.InvalidArgumentException("fsck: options must not be null"));
        }
        return Flux.defer(() -> new Run(options).findings());
    }

    /** See {@link io.datalake.Datalake#fsck(FsckOptions, Consumer)}. */
    Mono<FsckReport> report(FsckOptions options, Consumer<? super FsckFinding> onFinding) {
        if (options == null || onFinding == null) {
            return Mono.error(new io.datalake.InvalidArgumentException("fsck: options and onFinding must not be"
                    + " null"));
        }
        return Mono.defer(() -> {
            Run run = new Run(options);
            long start = System.nanoTime();
            EnumMap<Kind, Long> counts = new EnumMap<>(Kind.class);
            List<FsckFinding> details = new ArrayList<>();
            return run.findings()
                    .doOnNext(f -> {
                        counts.merge(f.kind(), 1L, Long::sum);
                        if (details.size() < options.maxDetails()) {
                            details.add(f);
                        }
                        try {
                            onFinding.accept(f);
                        } catch (RuntimeException e) {
                            throw new DatalakeException("fsck: the finding callback failed: " + e, e);
                        }
                    })
                    .then(Mono.fromSupplier(() -> new FsckReport(counts, details, run.datums.get(),
                            run.payloadRefs.get(), run.objects.get(), run.versions.get(), run.rows.get(),
                            run.bytes.get(), Duration.ofNanos(System.nanoTime() - start))));
        });
    }

    /** A registry object as a datum records it. */
    private record ObjectRef(String uri, String key, @Nullable String sha256, long size) {
        /** The key alone tells objects apart in practice; hashing every field of every datum costs a tenth of fsck. */
        @Override
        public int hashCode() {
            return key.hashCode();
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof ObjectRef r && key.equals(r.key) && uri.equals(r.uri) && size == r.size
                    && java.util.Objects.equals(sha256, r.sha256);
        }
    }

    /** What was found about one object: nothing ({@code kind} null) or one problem. */
    private record ObjectResult(@Nullable Kind kind, String detail) {
        static final ObjectResult OK = new ObjectResult(null, "");
    }

    /** A page of raw documents and whether another page may follow. */
    private record RawPage(List<RawBsonDocument> documents, boolean more) {
    }

    /** The state of one subscription: counters, caches, options. */
    private final class Run {
        private final FsckOptions options;
        final AtomicLong datums = new AtomicLong();
        final AtomicLong payloadRefs = new AtomicLong();
        final AtomicLong objects = new AtomicLong();
        final AtomicLong versions = new AtomicLong();
        final AtomicLong rows = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        private final AtomicLong found = new AtomicLong();
        private final Map<ObjectRef, ObjectResult> objectCache = lru(OBJECT_CACHE_ENTRIES);
        /** Per stored URI string: its backend, or the refusal. */
        private final Map<String, Object> uriCache = lru(URI_CACHE_ENTRIES);
        private final int pageSize;
        private volatile boolean checkSchemas;

        Run(FsckOptions options) {
            this.options = options;
            this.pageSize = options.pageSize();
        }

        Flux<FsckFinding> findings() {
            requireOpen.run();
            // A stored schema the lake cannot read still means there are schemas: each datum of its kind is then a
            // finding naming the problem.
            Mono<Boolean> anySchema = options.schemas() ? schemas.list().hasElements()
                    .onErrorResume(MalformedSchemaException.class, e -> Mono.just(true)) : Mono.just(false);
            return anySchema.flatMapMany(any -> {
                        checkSchemas = any;
                        return Flux.concat(datumPages(), foreignDocuments(),
                                options.datasets() ? datasetRows() : Flux.empty());
                    })
                    .doOnNext(f -> found.incrementAndGet())
                    .concatWith(Mono.fromRunnable(this::progress));
        }

        private void progress() {
            FsckProgress p = new FsckProgress(datums.get(), payloadRefs.get(), objects.get(), versions.get(),
                    rows.get(), bytes.get(), found.get());
            try {
                options.progress().accept(p);
            } catch (RuntimeException e) {
                throw new DatalakeException("fsck: the progress listener failed: " + e, e);
            }
        }

        // ---- datums ----

        private Flux<FsckFinding> datumPages() {
            return page(null)
                    .expand(p -> p.more() ? page(lastId(p)) : Mono.empty())
                    .concatMap(p -> checkPage(p).doOnNext(x -> progress()), 1)
                    .concatMapIterable(list -> list);
        }

        private ObjectId lastId(RawPage page) {
            RawBsonDocument last = page.documents().get(page.documents().size() - 1);
            return last.getObjectId(DatumEntity.ID).getValue();
        }

        /** One page of documents with ObjectId {@code _id}s after {@code after}: one bounded query. */
        private Mono<RawPage> page(@Nullable ObjectId after) {
            return Mono.defer(() -> {
                requireOpen.run();
                Bson filter = after == null ? Filters.gte(DatumEntity.ID, MIN_ID) : Filters.gt(DatumEntity.ID, after);
                long[] size = {0};
                return Flux.from(encoded.find(filter).sort(Sorts.ascending(DatumEntity.ID)).limit(pageSize))
                        .takeUntil(raw -> (size[0] += raw.getByteBuffer().remaining()) >= PAGE_BYTES)
                        .collectList()
                        .map(raws -> new RawPage(raws, !raws.isEmpty()
                                && (raws.size() == pageSize || size[0] >= PAGE_BYTES)));
            }).onErrorMap(e -> ServerFailures.translate("fsck: reading a page of datums", e));
        }

        private Mono<List<FsckFinding>> checkPage(RawPage page) {
            List<FsckFinding> out = new ArrayList<>();
            List<Datum> readable = new ArrayList<>(page.documents().size());
            Set<ObjectId> pageIds = new HashSet<>();
            for (RawBsonDocument raw : page.documents()) {
                ObjectId id = raw.getObjectId(DatumEntity.ID).getValue();
                pageIds.add(id);
                try {
                    readable.add(StoredDatums.decode(raw, codec));
                } catch (MalformedDatumException e) {
                    out.add(new FsckFinding(Kind.UNREADABLE_DATUM, id, null, null, null, null, null, -1, null,
                            message(e)));
                }
            }
            datums.addAndGet(page.documents().size());
            return Mono.zip(checkPayloads(readable), checkParents(readable, pageIds))
                    .flatMap(t -> {
                        List<FsckFinding> suspects = new ArrayList<>(t.getT1());
                        suspects.addAll(t.getT2());
                        Set<ObjectId> payloadProblems = new HashSet<>();
                        t.getT1().forEach(f -> payloadProblems.add(java.util.Objects.requireNonNull(f.datumId())));
                        return Mono.zip(confirm(suspects), checkSchemas(readable, payloadProblems));
                    })
                    .map(t -> {
                        out.addAll(t.getT1());
                        out.addAll(t.getT2());
                        out.sort(Comparator.comparing((FsckFinding f) -> java.util.Objects.requireNonNull(
                                f.datumId())).thenComparing(FsckFinding::kind));
                        return out;
                    });
        }

        // ---- registry objects ----

        private Mono<List<FsckFinding>> checkPayloads(List<Datum> readable) {
            Map<ObjectRef, List<Datum>> byObject = new LinkedHashMap<>();
            for (Datum d : readable) {
                String uri = d.registryUri();
                String key = d.registryKey();
                if (uri == null || key == null) {
                    continue;
                }
                PayloadInfo info = d.payload();
                ObjectRef ref = new ObjectRef(uri, key, info != null ? info.sha256() : null,
                        info != null ? info.size() : -1);
                byObject.computeIfAbsent(ref, r -> new ArrayList<>()).add(d);
                payloadRefs.incrementAndGet();
            }
            if (byObject.isEmpty()) {
                return Mono.just(List.of());
            }
            return Flux.fromIterable(byObject.entrySet())
                    .flatMap(e -> result(e.getKey()).map(r -> Map.entry(e.getValue(), r)), options.parallelism())
                    .collectList()
                    .map(results -> {
                        List<FsckFinding> out = new ArrayList<>();
                        for (Map.Entry<List<Datum>, ObjectResult> r : results) {
                            Kind kind = r.getValue().kind();
                            if (kind == null) {
                                continue;
                            }
                            for (Datum d : r.getKey()) {
                                String uri = RegistryUris.redact(String.valueOf(d.registryUri()));
                                out.add(new FsckFinding(kind, d.id(), uri, d.registryKey(), null, null, null, -1,
                                        null, r.getValue().detail()));
                            }
                        }
                        return out;
                    });
        }

        private Mono<ObjectResult> result(ObjectRef ref) {
            ObjectResult cached;
            synchronized (objectCache) {
                cached = objectCache.get(ref);
            }
            if (cached != null) {
                return Mono.just(cached);
            }
            return check(ref).doOnNext(r -> {
                synchronized (objectCache) {
                    objectCache.put(ref, r);
                }
            });
        }

        private Mono<ObjectResult> check(ObjectRef ref) {
            String where = "key " + ref.key() + " in registry " + RegistryUris.redact(ref.uri());
            return backend(ref.uri())
                    .flatMap(backend -> {
                        objects.incrementAndGet();
                        return backend.stat(ref.key())
                                .timeout(timeout)
                                .map(Optional::of)
                                .defaultIfEmpty(Optional.empty())
                                .flatMap(stat -> judge(backend, ref, stat.orElse(null), where));
                    })
                    .onErrorResume(RegistryNotAllowedException.class,
                            e -> Mono.just(new ObjectResult(Kind.REGISTRY_NOT_ALLOWED, message(e))))
                    .onErrorResume(RegistryException.class, e -> Mono.just(new ObjectResult(
                            Kind.UNREADABLE_PAYLOAD, where + ": " + message(e))))
                    .onErrorResume(TimeoutException.class, e -> Mono.just(new ObjectResult(
                            Kind.UNREADABLE_PAYLOAD, where + ": the registry did not answer within " + timeout)));
        }

        private Mono<ObjectResult> judge(RegistryBackend backend, ObjectRef ref, @Nullable BlobStat stat,
                String where) {
            if (stat == null) {
                return Mono.just(new ObjectResult(Kind.MISSING_PAYLOAD, "no object under " + where));
            }
            if (ref.size() >= 0 && stat.size() >= 0 && stat.size() != ref.size()) {
                return Mono.just(new ObjectResult(Kind.SIZE_MISMATCH, "the object under " + where + " has "
                        + stat.size() + " bytes, the datum records " + ref.size()));
            }
            String storeSha = stat.sha256();
            if (ref.sha256() != null && storeSha != null && !storeSha.equals(ref.sha256())) {
                return Mono.just(new ObjectResult(Kind.HASH_MISMATCH, "the store's SHA-256 of the object under "
                        + where + " is " + storeSha + ", the datum records " + ref.sha256()));
            }
            return options.verify() ? verify(backend, ref, where) : Mono.just(ObjectResult.OK);
        }

        /** Streams the object and hashes it, as {@code getPayload} does; stops once it exceeds the recorded size. */
        private Mono<ObjectResult> verify(RegistryBackend backend, ObjectRef ref, String where) {
            String expected = ref.sha256() != null ? ref.sha256() : hashInKey(ref.key());
            return Mono.defer(() -> {
                MessageDigest digest = sha256();
                long[] count = {0};
                return backend.get(ref.key())
                        .doOnNext(buffer -> {
                            int n = buffer.remaining();
                            digest.update(buffer.duplicate());
                            count[0] += n;
                            bytes.addAndGet(n);
                        })
                        .takeUntil(buffer -> ref.size() >= 0 && count[0] > ref.size())
                        .then(Mono.fromSupplier(() -> {
                            if (ref.size() >= 0 && count[0] != ref.size()) {
                                return new ObjectResult(Kind.SIZE_MISMATCH, "read " + (count[0] > ref.size()
                                        ? "more than " + ref.size() : String.valueOf(count[0])) + " bytes under "
                                        + where + ", the datum records " + ref.size());
                            }
                            String actual = HexFormat.of().formatHex(digest.digest());
                            if (expected != null && !expected.equals(actual)) {
                                return new ObjectResult(Kind.HASH_MISMATCH, "the bytes under " + where
                                        + " hash to SHA-256 " + actual + ", the datum records " + expected);
                            }
                            return ObjectResult.OK;
                        }));
            });
        }

        /** The registry a stored URI selects; a refusal is remembered, a failure to open is not. */
        private Mono<RegistryBackend> backend(String uri) {
            Object cached;
            synchronized (uriCache) {
                cached = uriCache.get(uri);
            }
            if (cached instanceof RegistryBackend backend) {
                return Mono.just(backend);
            }
            if (cached instanceof RegistryNotAllowedException refused) {
                return Mono.error(refused);
            }
            // Opening may touch the file system or build a cloud client: off the caller's thread.
            return Mono.fromCallable(() -> payloads.registries().resolveStored(uri))
                    .subscribeOn(Schedulers.boundedElastic())
                    .doOnNext(backend -> remember(uri, backend))
                    .doOnError(RegistryNotAllowedException.class, e -> remember(uri, e));
        }

        private void remember(String uri, Object answer) {
            synchronized (uriCache) {
                uriCache.put(uri, answer);
            }
        }

        // ---- parents ----

        private Mono<List<FsckFinding>> checkParents(List<Datum> readable, Set<ObjectId> pageIds) {
            Set<ObjectId> wanted = new HashSet<>();
            for (Datum d : readable) {
                ObjectId parent = d.derivedFrom();
                if (parent != null && !pageIds.contains(parent)) {
                    wanted.add(parent);
                }
            }
            if (wanted.isEmpty()) {
                return Mono.just(List.of());
            }
            return existing(wanted, "fsck: looking up parents").map(present -> {
                List<FsckFinding> out = new ArrayList<>();
                for (Datum d : readable) {
                    ObjectId parent = d.derivedFrom();
                    if (parent != null && wanted.contains(parent) && !present.contains(parent)) {
                        out.add(new FsckFinding(Kind.MISSING_PARENT, d.id(), null, null, parent, null, null, -1,
                                null, "its parent " + parent.toHexString() + " (derived_from) does not exist"));
                    }
                }
                return out;
            });
        }

        /** Which of {@code ids} name a stored document: one {@code $in} under the time limit. */
        private Mono<Set<ObjectId>> existing(Set<ObjectId> ids, String context) {
            return Mono.defer(() -> {
                requireOpen.run();
                return Flux.from(encoded.find(Filters.in(DatumEntity.ID, ids)).projection(ID_ONLY))
                        .<ObjectId>handle((raw, sink) -> {
                            if (raw.get(DatumEntity.ID) instanceof BsonObjectId id) {
                                sink.next(id.getValue());
                            }
                        })
                        .collectList()
                        .<Set<ObjectId>>map(HashSet::new);
            }).onErrorMap(e -> ServerFailures.translate(context, e));
        }

        /**
         * Drops the findings of datums deleted since the page was read: a delete removes a child before its parent
         * and a datum before gc removes its object, so a datum still present after its parent or object was seen
         * missing really is dangling.
         */
        private Mono<List<FsckFinding>> confirm(List<FsckFinding> suspects) {
            if (suspects.isEmpty()) {
                return Mono.just(suspects);
            }
            Set<ObjectId> ids = new HashSet<>();
            suspects.forEach(f -> ids.add(java.util.Objects.requireNonNull(f.datumId())));
            return existing(ids, "fsck: re-checking datums").map(present -> {
                List<FsckFinding> out = new ArrayList<>(suspects.size());
                for (FsckFinding f : suspects) {
                    if (present.contains(f.datumId())) {
                        out.add(f);
                    } else {
                        LOG.debug("fsck: datum {} was deleted while it was checked; not reported", f.datumId());
                    }
                }
                return out;
            });
        }

        // ---- schemas ----

        private Mono<List<FsckFinding>> checkSchemas(List<Datum> readable, Set<ObjectId> payloadProblems) {
            if (!checkSchemas || readable.isEmpty()) {
                return Mono.just(List.of());
            }
            return Flux.fromIterable(readable)
                    .filter(d -> !payloadProblems.contains(d.id()))
                    .flatMapSequential(this::withJsonPayload, options.parallelism())
                    .concatMap(loaded -> {
                        if (loaded instanceof FsckFinding unreadable) {
                            return Mono.just(unreadable);
                        }
                        Datum d = (Datum) loaded;
                        return schemas.violations(Flux.just(d))
                                .map(v -> violation(d, v))
                                .onErrorResume(MalformedSchemaException.class, e -> Mono.just(new FsckFinding(
                                        Kind.SCHEMA_VIOLATION, d.id(), null, null, null, null, null, -1, null,
                                        "the schema of its kind cannot be used: " + message(e))));
                    })
                    .collectList();
        }

        private FsckFinding violation(Datum d, DatumViolations v) {
            StringBuilder detail = new StringBuilder("violates schema ").append(v.kind()).append('@')
                    .append(v.schemaVersion()).append(": ");
            for (int i = 0; i < v.violations().size(); i++) {
                detail.append(i == 0 ? "" : "; ").append(v.violations().get(i));
            }
            return new FsckFinding(Kind.SCHEMA_VIOLATION, d.id(), null, null, null, null, null, -1, null,
                    detail.toString());
        }

        /**
         * The datum with its JSON or BSON registry payload loaded (the schema may constrain that data), or a
         * finding when it cannot be loaded; other datums as they are.
         */
        private Mono<Object> withJsonPayload(Datum d) {
            PayloadInfo info = d.payload();
            if (d.registryKey() == null || info == null || !(PayloadInfo.JSON.equals(info.contentType())
                    || PayloadInfo.BSON.equals(info.contentType()))) {
                return Mono.just(d);
            }
            return payloads.load(d, null).<Object>map(loaded -> loaded)
                    .onErrorResume(RegistryException.class, e -> Mono.just(new FsckFinding(Kind.UNREADABLE_PAYLOAD,
                            d.id(), RegistryUris.redact(String.valueOf(d.registryUri())), d.registryKey(), null,
                            null, null, -1, null, message(e))));
        }

        // ---- documents whose _id is not an ObjectId ----

        private Flux<FsckFinding> foreignDocuments() {
            Bson anyForeign = new Document(DatumEntity.ID, new Document("$type", FOREIGN_ID_TYPES));
            return Mono.defer(() -> {
                        requireOpen.run();
                        return Flux.from(encoded.find(anyForeign).projection(ID_ONLY).limit(1)).hasElements();
                    })
                    .onErrorMap(e -> ServerFailures.translate("fsck: looking for foreign documents", e))
                    .flatMapMany(any -> any ? Flux.fromIterable(FOREIGN_ID_TYPES).concatMap(this::foreignOfType)
                            : Flux.empty());
        }

        /** Documents whose {@code _id} has one type, paged in {@code _id} order within that type. */
        private Flux<FsckFinding> foreignOfType(String type) {
            return foreignPage(type, null)
                    .expand(p -> p.size() < pageSize ? Mono.empty()
                            : foreignPage(type, p.get(p.size() - 1).get(DatumEntity.ID)))
                    .concatMapIterable(p -> {
                        datums.addAndGet(p.size());
                        List<FsckFinding> out = new ArrayList<>(p.size());
                        for (RawBsonDocument raw : p) {
                            String problem = StoredDatums.shapeProblem(raw);
                            out.add(new FsckFinding(Kind.UNREADABLE_DATUM, null, null, null, null, null, null, -1,
                                    null, message(new MalformedDatumException(StoredDatums.idOf(raw),
                                            problem != null ? problem : "its _id is not an ObjectId", null))));
                        }
                        return out;
                    });
        }

        private Mono<List<RawBsonDocument>> foreignPage(String type, @Nullable BsonValue after) {
            return Mono.defer(() -> {
                requireOpen.run();
                Bson ofType = Filters.type(DatumEntity.ID, type);
                Bson filter = after == null ? ofType : Filters.and(ofType, Filters.gt(DatumEntity.ID, after));
                return Flux.from(encoded.find(filter).projection(ID_ONLY).sort(Sorts.ascending(DatumEntity.ID))
                        .limit(pageSize)).collectList();
            }).onErrorMap(e -> ServerFailures.translate("fsck: reading documents whose _id is a " + type, e));
        }

        // ---- datasets ----

        private Flux<FsckFinding> datasetRows() {
            MongoDatasets ds = datasets.get();
            return ds.keptVersionIds(null, VERSION_PAGE)
                    .expand(ids -> ids.size() < VERSION_PAGE ? Mono.empty()
                            : ds.keptVersionIds(ids.get(ids.size() - 1), VERSION_PAGE))
                    .concatMapIterable(ids -> ids)
                    .concatMap(id -> checkVersion(ds, id), 1);
        }

        private Flux<FsckFinding> checkVersion(MongoDatasets ds, ObjectId id) {
            return ds.version(id)
                    .flatMapMany(v -> v.state() == VersionState.DISCARDED ? Flux.empty() : checkRows(ds, v))
                    // Discarded (or its rows deleted) since it was listed: nothing to check any more.
                    .onErrorResume(VersionNotFoundException.class, e -> Flux.empty())
                    .onErrorResume(MalformedDatasetException.class, e -> Flux.just(new FsckFinding(
                            Kind.UNREADABLE_DATASET, null, null, null, null, null, id, -1, null, message(e))));
        }

        private Flux<FsckFinding> checkRows(MongoDatasets ds, VersionInfo v) {
            String label = v.number() == null ? v.dataset() + " draft " + v.id().toHexString()
                    : v.dataset() + "@" + v.number();
            versions.incrementAndGet();
            return ds.rows(v.id())
                    .buffer(ROW_BATCH)
                    .concatMap(batch -> {
                        Set<ObjectId> ids = new HashSet<>();
                        batch.forEach(r -> ids.addAll(r.columns().values()));
                        return existing(ids, "fsck: looking up the datums of " + label).map(present -> {
                            rows.addAndGet(batch.size());
                            List<FsckFinding> out = new ArrayList<>();
                            for (Row r : batch) {
                                for (Map.Entry<String, ObjectId> c : r.columns().entrySet()) {
                                    if (!present.contains(c.getValue())) {
                                        out.add(new FsckFinding(Kind.DATASET_MISSING_DATUM, c.getValue(), null,
                                                null, null, label, v.id(), r.number(), c.getKey(), "row "
                                                + r.number() + " column '" + c.getKey() + "' names datum "
                                                + c.getValue().toHexString() + ", which does not exist"));
                                    }
                                }
                            }
                            progress();
                            return out;
                        });
                    }, 1)
                    .concatMapIterable(list -> list)
                    .onErrorResume(MalformedDatasetException.class, e -> Flux.just(new FsckFinding(
                            Kind.UNREADABLE_DATASET, null, null, null, null, label, v.id(), -1, null,
                            message(e))));
        }
    }

    private static String message(Throwable e) {
        return String.valueOf(e.getMessage());
    }

    private static @Nullable String hashInKey(String key) {
        java.util.regex.Matcher m = HASH_KEY.matcher(key);
        return m.matches() ? m.group(1) : null;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }
}
