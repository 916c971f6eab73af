package io.datalake.mongo.internal;

import io.datalake.query.engine.DerivationGraph;
import io.datalake.query.engine.ServerFailures;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Projections.include;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.UndoIncompleteException;
import io.datalake.mongo.internal.gc.GcGuard;
import io.datalake.mongo.internal.schema.MongoSchemas;
import io.datalake.schema.DatumViolations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.BsonObjectId;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The write path of {@link MongoDatalake}, in one direction: validate each datum and convert its values once,
 * check it against the schema of its kind ({@link MongoSchemas}; a rejected datum stops its batch before any payload
 * is written), decide where its payload goes (inline, its registry, or the default registry for an oversized inline value) with
 * the whole document's size checked before anything is written, build its entity once and encode it once, write
 * the payloads, then insert; undo a batch that failed.
 *
 * <p>A batch is made all-or-nothing by compensation, on every kind of server. Not by transactions: the embedded
 * server and standalone servers have none, and a transaction's time limit (60 s by default) would make large batches
 * fail that succeed without one. Three rules:
 * <ul>
 *   <li>The insert and its compensation run to their end whatever the subscriber does: a cancel (a {@code timeout},
 *       a {@code dispose}) while {@code insertMany} is in flight does not stop the driver from writing, so the
 *       outcome is awaited detached from the subscriber and a failed insert is undone even then.
 *   <li>Compensation never makes another writer's datum lose its parent: a datum that someone now derives from is
 *       kept (and reported), and a datum deleted just before a child was attached to it is put back. A writer whose
 *       parent is outside its batch checks the parent again after its insert and removes its own datums when the
 *       parent went away meanwhile. Whatever order the two writers' steps take, one of them sees the other.
 *   <li>Compensation deletes only documents that are provably this call's: the ones an ordered insert reports
 *       written before its first error, or, when the outcome is unknown (a network error, a timeout), the documents
 *       whose stored form equals the one this call sent, so a concurrent writer's datum with the same caller-chosen
 *       id survives.
 * </ul>
 */
final class DatumWriter {
    private static final Logger LOG = LoggerFactory.getLogger(DatumWriter.class);
    private static final InsertManyOptions ORDERED = new InsertManyOptions().ordered(true);
    private static final InsertManyOptions UNORDERED = new InsertManyOptions().ordered(false);

    private final MongoCollection<Document> documents;
    private final MongoCollection<RawBsonDocument> encodedDocuments;
    private final Codec<DatumEntity> entityCodec;
    private final PayloadStore payloads;
    private final Clock clock;
    private final int batchSize;
    private final Runnable requireOpen;
    /** Inserts (with their re-checks and undos) still running, shared by a lake and its views; close awaits them. */
    private final Set<CompletableFuture<Void>> pending;
    /** Validates new datums against the schemas of their kinds before anything is written. */
    private final MongoSchemas schemas;
    /** After an insert, settles any race with a garbage collection over the batch's registry objects. */
    private final GcGuard gcGuard;

    DatumWriter(MongoCollection<Document> documents, MongoCollection<RawBsonDocument> encodedDocuments,
            Codec<DatumEntity> entityCodec, PayloadStore payloads, Clock clock, int batchSize, Runnable requireOpen,
            Set<CompletableFuture<Void>> pending, MongoSchemas schemas, GcGuard gcGuard) {
        this.gcGuard = gcGuard;
        this.pending = pending;
        this.schemas = schemas;
        this.documents = documents;
        this.encodedDocuments = encodedDocuments;
        this.entityCodec = entityCodec;
        this.payloads = payloads;
        this.clock = clock;
        this.batchSize = batchSize;
        this.requireOpen = requireOpen;
    }

    Mono<Datum> addDatum(NewDatum datum) {
        return Mono.defer(() -> {
            // Per subscription: set when this call fails or is cancelled.
            AtomicBoolean ended = new AtomicBoolean();
            return addDatum(datum, ended)
                    .doOnError(e -> end(ended, Collections.singletonList(datum)))
                    .doOnCancel(() -> end(ended, Collections.singletonList(datum)));
        });
    }

    private Mono<Datum> addDatum(NewDatum datum, AtomicBoolean ended) {
        return Mono.defer(() -> {
            requireOpen.run();
            if (datum == null) {
                throw new InvalidArgumentException("datum must not be null");
            }
            Draft draft = draft(datum, now(), 0);
            ObjectId parent = draft.derivedFrom();
            List<ObjectId> parents = parent == null ? List.of() : List.of(parent);
            Mono<Void> parentCheck = parents.isEmpty() ? Mono.empty() : requireExisting(parents, "derivedFrom parent");
            String context = "addDatum " + draft.id();
            // Schema, then payload, then datum: a rejected datum uploads nothing, and a datum never points at a
            // payload that was not written.
            return validate(List.of(draft), "addDatum")
                    .flatMap(warned -> parentCheck
                            .then(readyUnlessEnded(draft, ended))
                            .flatMap(ready -> insertDetached(List.of(ready), parents, context)
                                    .then(Mono.fromRunnable(() -> schemas.report(warned)))
                                    .thenReturn(ready.datum())))
                    .onErrorMap(e -> ServerFailures.translate(context, e));
        });
    }

    /**
     * An add that failed or was cancelled before its payload's turn still closes the streams it was handed; done
     * before the error reaches the caller, so a caller who sees the error finds the stream closed.
     */
    private void end(AtomicBoolean ended, List<NewDatum> data) {
        ended.set(true);
        for (NewDatum datum : data) {
            if (datum != null) {
                payloads.releaseUnread(datum);
            }
        }
    }

    /**
     * Writes a draft's payload if it has one and builds the datum to insert; a payload write that loses the race
     * with the call's end (its stream was just released) ends quietly, since nobody is left to receive its error
     * and Reactor would log it as dropped.
     */
    private Mono<Ready> readyUnlessEnded(Draft draft, AtomicBoolean ended) {
        Ready inline = draft.inline();
        if (inline != null) {
            return Mono.just(inline);
        }
        return payloads.write(draft.source(), draft.placement())
                .onErrorResume(e -> ended.get() ? Mono.empty() : Mono.error(e))
                .map(stored -> withPayload(draft, stored));
    }

    Flux<Datum> addData(Publisher<NewDatum> data) {
        // concatMap with prefetch 1 keeps at most one batch buffered beyond the one being written. The batch number
        // gives each datum its position in the call, which schema errors name.
        return Flux.from(data).buffer(batchSize).index()
                .concatMap(numbered -> insertBatch(numbered.getT2(), numbered.getT1() * batchSize), 1);
    }

    private Flux<Datum> insertBatch(List<NewDatum> batch, long firstIndex) {
        return Flux.defer(() -> {
            // Per subscription: set when this batch fails or is cancelled.
            AtomicBoolean ended = new AtomicBoolean();
            return insertBatch(batch, firstIndex, ended).doOnError(e -> end(ended, batch))
                    .doOnCancel(() -> end(ended, batch));
        });
    }

    /** Validates drafts against their schemas; see {@link MongoSchemas#validate}. */
    private Mono<List<DatumViolations>> validate(List<Draft> drafts, String context) {
        List<MongoSchemas.Candidate> candidates = new ArrayList<>();
        for (Draft draft : drafts) {
            if (draft.schema() != null) {
                candidates.add(draft.schema());
            }
        }
        return schemas.validate(candidates, context);
    }

    private Flux<Datum> insertBatch(List<NewDatum> batch, long firstIndex, AtomicBoolean ended) {
        return Flux.defer(() -> {
            requireOpen.run();
            Instant addedAt = now();
            List<Draft> drafts = new ArrayList<>(batch.size());
            Set<ObjectId> idsInBatch = new HashSet<>();
            Set<ObjectId> externalParents = new LinkedHashSet<>();
            boolean allInline = true;
            for (int i = 0; i < batch.size(); i++) {
                NewDatum item = batch.get(i);
                if (item == null) {
                    throw new InvalidArgumentException("addData: element " + i + " of the batch is null");
                }
                Draft draft = draft(item, addedAt, firstIndex + i);
                ObjectId parent = draft.derivedFrom();
                if (parent != null && !idsInBatch.contains(parent)) {
                    externalParents.add(parent);
                }
                if (!idsInBatch.add(draft.id())) {
                    throw new DatumValidationException("addData: id " + draft.id()
                            + " appears more than once in the batch");
                }
                drafts.add(draft);
                allInline &= draft.inline() != null;
            }
            List<ObjectId> parents = new ArrayList<>(externalParents);
            Mono<Void> existenceCheck = requireParentsAndNewIds(parents, callerChosenIds(batch));
            String context = "addData batch of " + drafts.size();
            // Payloads before datums: a datum never points at a payload that was not written.
            Mono<List<Ready>> ready = allInline
                    ? Mono.fromSupplier(() -> inlineReadies(drafts))
                    : Flux.fromIterable(drafts)
                            .flatMapSequential(draft -> readyUnlessEnded(draft, ended), payloads.concurrency())
                            .collectList();
            // Schemas first: a batch with a rejected datum uploads no payload and writes nothing.
            return validate(drafts, "addData")
                    .flatMapMany(warned -> existenceCheck
                            .then(ready)
                            // Fewer readies than drafts only when the call ended during the payload writes: insert
                            // nothing.
                            .filter(readies -> readies.size() == drafts.size())
                            .flatMapMany(readies -> insertDetached(readies, parents, context)
                                    .then(Mono.fromRunnable(() -> schemas.report(warned)))
                                    .thenMany(Flux.fromIterable(readies).map(Ready::datum))))
                    .onErrorMap(e -> ServerFailures.translate(context, e));
        });
    }

    private static List<Ready> inlineReadies(List<Draft> drafts) {
        List<Ready> readies = new ArrayList<>(drafts.size());
        for (Draft draft : drafts) {
            readies.add(Objects.requireNonNull(draft.inline()));
        }
        return readies;
    }

    private static List<ObjectId> callerChosenIds(List<NewDatum> batch) {
        List<ObjectId> ids = new ArrayList<>();
        for (NewDatum datum : batch) {
            if (datum.id() != null) {
                ids.add(datum.id());
            }
        }
        return ids;
    }

    /**
     * Checks with one {@code _id $in} query per batch that every parent exists ({@link DatumNotFoundException} naming
     * the missing ones) and that no caller-chosen id does ({@link DatumValidationException} naming them); empty
     * when both hold. One query, not two: a processor writes a chosen id and a parent for every input.
     */
    private Mono<Void> requireParentsAndNewIds(List<ObjectId> parents, List<ObjectId> chosenIds) {
        if (parents.isEmpty() && chosenIds.isEmpty()) {
            return Mono.empty();
        }
        Set<ObjectId> asked = new LinkedHashSet<>(parents);
        asked.addAll(chosenIds);
        return existingIds(new ArrayList<>(asked))
                .onErrorMap(e -> ServerFailures.translate("derivedFrom parent", e))
                .flatMap(found -> {
                    List<ObjectId> missing = missing(parents, found);
                    if (!missing.isEmpty()) {
                        return Mono.error(new DatumNotFoundException("derivedFrom parent", missing));
                    }
                    List<ObjectId> existing = new ArrayList<>();
                    for (ObjectId id : chosenIds) {
                        if (found.contains(id)) {
                            existing.add(id);
                        }
                    }
                    return existing.isEmpty() ? Mono.<Void>empty() : Mono.error(new DatumValidationException(
                            "addData: datums with these ids already exist: " + existing));
                });
    }

    /** The subset of {@code ids} that exist, with one {@code _id $in} query per batch. */
    Mono<Set<ObjectId>> existingIds(List<ObjectId> ids) {
        return Mono.defer(() -> {
            requireOpen.run();
            return existingIdsOfAnyLake(ids);
        });
    }

    /** As {@link #existingIds}, also while the lake closes: the re-check of an insert that close awaits. */
    private Mono<Set<ObjectId>> existingIdsOfAnyLake(List<ObjectId> ids) {
        return Flux.fromIterable(Batches.partition(ids, batchSize))
                .concatMap(batch -> Flux.from(documents.find(in(DatumEntity.ID, batch)).projection(include("_id"))))
                .map(doc -> doc.getObjectId(DatumEntity.ID))
                .collect(HashSet<ObjectId>::new, Set::add);
    }

    /** Completes empty when every id exists, else fails with {@link DatumNotFoundException} naming the missing. */
    Mono<Void> requireExisting(List<ObjectId> ids, String context) {
        return existingIds(ids)
                .onErrorMap(e -> ServerFailures.translate(context, e))
                .flatMap(found -> {
                    List<ObjectId> missing = missing(ids, found);
                    return missing.isEmpty() ? Mono.empty() : Mono.error(new DatumNotFoundException(context, missing));
                });
    }

    private static List<ObjectId> missing(List<ObjectId> ids, Set<ObjectId> found) {
        List<ObjectId> missing = new ArrayList<>();
        for (ObjectId id : ids) {
            if (!found.contains(id)) {
                missing.add(id);
            }
        }
        return missing;
    }

    /**
     * Inserts a batch so that it is stored wholly or, on failure, removed as far as removing it orphans no one.
     * The returned Mono only observes the work: cancelling it leaves the insert, the parent re-check and any
     * compensation running to their end, each bounded by the operation time limit.
     */
    private Mono<Void> insertDetached(List<Ready> batch, List<ObjectId> externalParents, String context) {
        List<RawBsonDocument> encoded = new ArrayList<>(batch.size());
        for (Ready ready : batch) {
            encoded.add(ready.encoded());
        }
        Mono<Void> work = Mono.from(encodedDocuments.insertMany(encoded, ORDERED))
                .then(Mono.defer(() -> recheckParents(batch, externalParents)))
                // A failure here (a payload a collection deleted that cannot be stored again) undoes the batch.
                .then(Mono.defer(() -> gcGuard.afterInsert(payloadsOf(batch))))
                .onErrorResume(error -> error instanceof DatumNotFoundException
                        ? Mono.error(error) // the re-check already undid the batch
                        : undoFailedInsert(batch, error, context));
        // A second, never-cancelled subscriber to the cached work (the future close() awaits) keeps it running to
        // its end when the caller cancels; the caller's subscription only observes the outcome.
        return Mono.defer(() -> {
            Mono<Void> shared = work.cache();
            CompletableFuture<Void> running = shared.toFuture();
            pending.add(running);
            running.whenComplete((ignored, e) -> pending.remove(running));
            return shared;
        });
    }

    /** The registry objects a batch's datums reference, each able to store its bytes again. */
    private List<GcGuard.Written> payloadsOf(List<Ready> batch) {
        List<GcGuard.Written> written = new ArrayList<>();
        for (Ready ready : batch) {
            Draft draft = ready.draft();
            String uri = ready.datum().registryUri();
            String key = ready.datum().registryKey();
            if (draft != null && uri != null && key != null) {
                written.add(new GcGuard.Written(uri, key, () -> payloads.write(draft.source(), draft.placement())
                        .map(stored -> stored.blob().key())));
            }
        }
        return written;
    }

    /**
     * After a successful insert, checks again that the parents outside the batch exist: a concurrent batch that
     * failed may have deleted one after our first check. If one is gone, our datums are removed (they would be
     * orphans) and the call fails with {@link DatumNotFoundException}.
     */
    private Mono<Void> recheckParents(List<Ready> batch, List<ObjectId> externalParents) {
        if (externalParents.isEmpty()) {
            return Mono.empty();
        }
        return existingIdsOfAnyLake(externalParents).flatMap(found -> {
            List<ObjectId> gone = missing(externalParents, found);
            if (gone.isEmpty()) {
                return Mono.empty();
            }
            DatumNotFoundException error = new DatumNotFoundException(
                    "derivedFrom parent (deleted while this datum was written)", gone);
            return undo(byId(batch, batch.size())).flatMap(kept -> {
                reportKept(error, kept);
                return Mono.<Void>error(error);
            });
        });
    }

    private Mono<Void> undoFailedInsert(List<Ready> batch, Throwable error, String context) {
        Mono<Map<ObjectId, Ready>> ours;
        if (error instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()) {
            // An ordered insert stops at its first error: everything before it was written by this call.
            int firstFailure = bulk.getWriteErrors().get(0).getIndex();
            ours = Mono.just(byId(batch, firstFailure));
        } else {
            // Outcome unknown: any of the documents may or may not be stored, and a concurrent writer may have
            // stored one with the same caller-chosen id meanwhile. Only documents equal to what we sent are ours.
            ours = provablyOurs(byId(batch, batch.size()));
        }
        // Translated here so that what is attached below travels with the exception the caller sees.
        Throwable reported = ServerFailures.translate(context, error);
        return ours.flatMap(this::undo)
                .onErrorResume(cleanupFailure -> {
                    LOG.warn("{}: could not undo the failed insert; datums of the batch may remain", context,
                            cleanupFailure);
                    reported.addSuppressed(cleanupFailure);
                    return Mono.just(Set.of());
                })
                .flatMap(kept -> {
                    reportKept(reported, kept);
                    return Mono.error(reported);
                });
    }

    private static void reportKept(Throwable error, Set<ObjectId> kept) {
        if (!kept.isEmpty()) {
            LOG.warn("a failed write kept {} of its datums because other datums derive from them, e.g. {}",
                    kept.size(), kept.iterator().next());
            error.addSuppressed(new UndoIncompleteException(new ArrayList<>(kept)));
        }
    }

    private static Map<ObjectId, Ready> byId(List<Ready> batch, int count) {
        Map<ObjectId, Ready> map = new LinkedHashMap<>();
        for (Ready ready : batch.subList(0, count)) {
            map.put(ready.id(), ready);
        }
        return map;
    }

    /** The subset of {@code sent} whose stored document is exactly the one this call sent. */
    private Mono<Map<ObjectId, Ready>> provablyOurs(Map<ObjectId, Ready> sent) {
        return Flux.fromIterable(Batches.partition(new ArrayList<>(sent.keySet()), batchSize))
                .concatMap(ids -> Flux.from(encodedDocuments.find(in(DatumEntity.ID, ids))))
                .collect(LinkedHashMap<ObjectId, Ready>::new, (ours, stored) -> {
                    ObjectId id = stored.get(DatumEntity.ID) instanceof BsonObjectId storedId
                            ? storedId.getValue() : null;
                    Ready mine = id == null ? null : sent.get(id);
                    if (id != null && mine != null && mine.encoded().equals(stored)) {
                        ours.put(id, mine);
                    } else if (mine != null) {
                        LOG.warn("after an insert of unknown outcome, datum {} is another writer's: left alone", id);
                    }
                });
    }

    /**
     * Deletes datums this call wrote, except those another datum derives from; returns the ids that remain. A
     * datum is kept when a datum outside the set being deleted derives from it (to a fixed point, so its ancestors
     * in the batch stay too). A child attached between the check and the delete is caught by checking again after
     * the delete: its parent (and that parent's ancestors in the batch) are put back.
     */
    private Mono<Set<ObjectId>> undo(Map<ObjectId, Ready> ours) {
        if (ours.isEmpty()) {
            return Mono.just(Set.of());
        }
        Set<ObjectId> candidates = new LinkedHashSet<>(ours.keySet());
        Set<ObjectId> kept = new LinkedHashSet<>();
        return keepParentsOfOutsiders(candidates, kept)
                .then(Mono.defer(() -> candidates.isEmpty() ? Mono.empty() : deleteAll(candidates)))
                .then(Mono.defer(() -> restoreParentsOfLateChildren(candidates, ours, kept)))
                .then(Mono.fromCallable(() -> kept));
    }

    private Mono<Void> keepParentsOfOutsiders(Set<ObjectId> candidates, Set<ObjectId> kept) {
        return Mono.defer(() -> {
            if (candidates.isEmpty()) {
                return Mono.empty();
            }
            return parentsWithOutsideChildren(candidates).flatMap(parents -> {
                if (parents.isEmpty()) {
                    return Mono.empty();
                }
                candidates.removeAll(parents);
                kept.addAll(parents);
                return keepParentsOfOutsiders(candidates, kept);
            });
        });
    }

    /** The datum this call wrote under {@code id}; the deleted set is drawn from {@code ours}, so it is there. */
    private static Ready written(Map<ObjectId, Ready> ours, ObjectId id) {
        return Objects.requireNonNull(ours.get(id), "written datum");
    }

    private Mono<Void> restoreParentsOfLateChildren(Set<ObjectId> deleted, Map<ObjectId, Ready> ours,
            Set<ObjectId> kept) {
        if (deleted.isEmpty()) {
            return Mono.empty();
        }
        return parentsWithOutsideChildren(deleted).flatMap(parents -> {
            if (parents.isEmpty()) {
                return Mono.empty();
            }
            Set<ObjectId> restore = new LinkedHashSet<>();
            for (ObjectId parent : parents) {
                // A parent put back needs its own parent back, when that was deleted too.
                for (ObjectId id = parent; id != null && deleted.contains(id) && restore.add(id); ) {
                    id = written(ours, id).derivedFrom();
                }
            }
            List<RawBsonDocument> docs = new ArrayList<>();
            for (ObjectId id : restore) {
                docs.add(written(ours, id).encoded());
            }
            kept.addAll(restore);
            // Unordered, and a duplicate key (someone stored the id meanwhile) is no reason to stop.
            return Mono.from(encodedDocuments.insertMany(docs, UNORDERED))
                    .then()
                    .onErrorResume(e -> e instanceof MongoBulkWriteException bulk
                            && bulk.getWriteConcernError() == null, e -> Mono.empty());
        });
    }

    /** The ids in {@code ids} that some datum not in {@code ids} derives from (the engine's children lookup). */
    private Mono<Set<ObjectId>> parentsWithOutsideChildren(Set<ObjectId> ids) {
        return new DerivationGraph(documents, batchSize, () -> { }).parentsWithOutsideChildren(ids);
    }

    /**
     * One bulk of single-id deletes rather than {@code deleteMany($in)}: the same to real MongoDB, but the embedded
     * server answers each by its {@code _id} index where it scans the collection for an {@code $in} (23 s against
     * under a second for 30,000 ids).
     */
    private Mono<Void> deleteAll(Set<ObjectId> ids) {
        List<DeleteOneModel<Document>> deletes = new ArrayList<>(ids.size());
        for (ObjectId id : ids) {
            deletes.add(new DeleteOneModel<>(eq(DatumEntity.ID, id)));
        }
        return Mono.from(documents.bulkWrite(deletes, new BulkWriteOptions().ordered(false))).then();
    }

    /**
     * Waits until the inserts under way, with their re-checks and undos, have ended, at most {@code limit}: closing
     * the client under them would leave a failed batch's datums stored.
     */
    static void awaitPending(Set<CompletableFuture<Void>> pending, Duration limit) {
        CompletableFuture<?>[] running = pending.toArray(new CompletableFuture<?>[0]);
        if (running.length == 0) {
            return;
        }
        try {
            CompletableFuture.allOf(running).handle((ignored, e) -> null).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("closing while {} writes are still under way after {}: their batches may stay half-written",
                    pending.size(), limit);
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: failures are handled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private RawBsonDocument encode(DatumEntity entity) {
        return new RawBsonDocument(entity, entityCodec);
    }

    private static long encodedSize(RawBsonDocument document) {
        return document.getByteBuffer().remaining();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Validates a new datum and converts its values once, decides where its payload goes, and for inline data
     * builds and encodes its entity (the encoding measures it and is what is inserted).
     *
     * @param index the datum's position in the call, for schema errors
     * @throws DatumValidationException if the datum cannot be stored as it is
     */
    private Draft draft(NewDatum datum, Instant addedAt, long index) {
        // Stamped with the lake's clock, not the JVM's: the change feed orders by id, and a writer with an injected
        // (skewed) clock must produce the ids a machine with that clock would.
        ObjectId id = datum.id() != null ? datum.id() : new ObjectId(Date.from(clock.instant()));
        boolean inRegistry = datum.registryUri() != null;
        // A registry payload may be any value (stream, file, POJO); PayloadStore encodes it, not BSON. Its maps and
        // lists obey the inline rules all the same (an inline value may be offloaded, and must mean the same).
        if (inRegistry) {
            BsonValues.check(datum.data(), "data");
        }
        Object storable = inRegistry ? null : BsonValues.toStorable(datum.data(), "data");
        Document metadata = BsonValues.toDocument(datum.metadata(), "metadata");
        ObjectId parent = datum.derivedFrom();
        if (id.equals(parent)) {
            throw new DatumValidationException("datum " + id + " cannot be derived from itself");
        }
        // The kind is selected here, where the converted values are at hand; the view is built only for a kind
        // that has a schema.
        MongoSchemas.Candidate schema = schemas.validating()
                ? schemas.candidate(index, id, inRegistry ? datum.data() : storable, metadata) : null;
        if (inRegistry) {
            return new Draft(datum, id, parent, metadata, addedAt, payloads.decide(datum, null, metadata, 0), null,
                    schema);
        }
        DatumEntity entity = DatumEntity.of(id, storable, null, null, null, parent, metadata, addedAt);
        RawBsonDocument encoded = encode(entity);
        PayloadStore.Placement placement = payloads.decide(datum, storable, metadata, encodedSize(encoded));
        Ready inline = placement instanceof PayloadStore.Placement.Inline
                ? new Ready(id, parent, encoded, DatumReader.toDatum(entity), null) : null;
        return new Draft(datum, id, parent, metadata, addedAt, placement, inline, schema);
    }

    /** Builds and encodes the entity of a datum whose payload {@link PayloadStore#write} stored. */
    private Ready withPayload(Draft draft, PayloadStore.Stored stored) {
        // A generated id is stamped again now that the payload is stored: an upload may take longer than the change
        // feed's reorder window, and the feed assumes an id is stamped shortly before its insert becomes visible.
        ObjectId id = draft.source().id() != null ? draft.id() : new ObjectId(Date.from(clock.instant()));
        DatumEntity entity = DatumEntity.of(id, null, stored.blob().registryUri(), stored.blob().key(),
                PayloadStore.toDocument(stored.info()), draft.derivedFrom(), withImageInfo(draft, stored),
                draft.addedAt());
        return new Ready(id, draft.derivedFrom(), encode(entity),
                DatumReader.toDatum(entity).withData(stored.data()), draft);
    }

    /**
     * The datum's metadata with the {@code image_info} its image payload was read for; a copy, since the draft's
     * metadata may be written again (a retry, garbage collection's re-store). The caller's own {@code image_info}
     * is kept as it is: a caller's value is never replaced.
     */
    private static Document withImageInfo(Draft draft, PayloadStore.Stored stored) {
        Document imageInfo = stored.imageInfo();
        if (imageInfo == null) {
            return draft.metadata();
        }
        if (draft.metadata().containsKey(ImageInfo.KEY)) {
            LOG.debug("datum {}: metadata.{} given by the caller is kept; the one read from its payload is not"
                    + " stored", draft.id(), ImageInfo.KEY);
            return draft.metadata();
        }
        Document metadata = new Document(draft.metadata());
        metadata.put(ImageInfo.KEY, imageInfo);
        return metadata;
    }

    /**
     * A new datum validated and converted, with its placement decided; nothing written yet.
     *
     * @param source what the caller passed (its data is what a registry placement writes)
     * @param inline the datum ready to insert when its data stays inline, else null
     * @param schema what to validate against the schema of its kind, or null when it has no validated kind
     */
    private record Draft(NewDatum source, ObjectId id, @Nullable ObjectId derivedFrom, Document metadata,
            Instant addedAt, PayloadStore.Placement placement, @Nullable Ready inline,
            MongoSchemas.@Nullable Candidate schema) {
    }

    /**
     * A datum ready to insert: its document, encoded once, is what the insert sends, what an undo compares with
     * the stored one and what it puts back.
     *
     * @param datum what the call returns for it
     * @param draft the draft of a registry datum (its source can store the payload again), null when inline
     */
    private record Ready(ObjectId id, @Nullable ObjectId derivedFrom, RawBsonDocument encoded, Datum datum,
            @Nullable Draft draft) {
    }
}
