package io.datalake.mongo.internal.processor;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Filters.nin;
import static com.mongodb.client.model.Filters.or;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatalakeException;
import io.datalake.query.engine.ServerFailures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The leases of one processor version in {@code <C>.processorLeases}: one document per input, {@code _id}
 * {@code NAME@VERSION/<input hex>}. Every call is one round trip for a whole batch of inputs, bounded by the
 * collection's operation time limit. Lease times come from the worker's clock (the embedded server has no
 * {@code $$NOW}), so worker clocks must agree to well within the lease duration.
 */
final class Leases {
    /** Suffix of the lease collection's name after the datum collection's. */
    static final String SUFFIX = ".processorLeases";
    static final String PENDING = "PENDING";
    static final String LEASED = "LEASED";
    static final String DONE = "DONE";
    static final String DEAD = "DEAD";
    static final Set<String> STATES = Set.of(PENDING, LEASED, DONE, DEAD);

    static final String ID = "_id";
    static final String P = "p";
    static final String INPUT = "input";
    static final String STATE = "state";
    static final String OWNER = "owner";
    static final String UNTIL = "until";
    static final String ATTEMPTS = "attempts";
    static final String FAILURES = "failures";
    static final String ERROR = "error";
    static final String ANCHOR = "anchor";
    static final String OUTPUTS = "outputs";
    static final String AT = "at";
    /** The run holding the lease: set by a take, cleared when the run settles or releases it. */
    static final String TAKE = "take";
    /** Longest error message stored in a dead letter. */
    static final int MAX_MESSAGE = 1000;
    /** Duplicate key: the upsert of a lease someone else holds, or that is finished. */
    private static final int DUPLICATE_KEY = 11000;
    /** Leases renewed per update: keeps the {@code $in} list far below the 16 MB command limit. */
    private static final int RENEW_BATCH = 1000;
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private final MongoCollection<Document> leases;
    private final String key;

    /**
     * The leases of one processor version.
     *
     * @param leases the lease collection, with the lake's operation time limit
     * @param key {@code NAME@VERSION}
     */
    Leases(MongoCollection<Document> leases, String key) {
        this.leases = leases;
        this.key = key;
    }

    static String leaseId(String key, ObjectId input) {
        return key + "/" + input.toHexString();
    }

    /** The input a lease {@code _id} of this processor names, or null when it names none. */
    private @Nullable ObjectId inputOf(@Nullable Object id) {
        String prefix = key + "/";
        if (id instanceof String s && s.startsWith(prefix) && ObjectId.isValid(s.substring(prefix.length()))) {
            return new ObjectId(s.substring(prefix.length()));
        }
        return null;
    }

    static String describeId(@Nullable Object id) {
        return id instanceof String s ? s : String.valueOf(id);
    }

    /** The index status queries and stop's release use; creating it again is a no-op. */
    static List<IndexModel> indexes() {
        return List.of(new IndexModel(new Document(P, 1).append(STATE, 1)));
    }

    private List<String> ids(Collection<ObjectId> inputs) {
        List<String> ids = new ArrayList<>(inputs.size());
        for (ObjectId input : inputs) {
            ids.add(leaseId(key, input));
        }
        return ids;
    }

    /**
     * Reads the leases of a batch of inputs; a malformed document is left out (with a warning) and listed in
     * {@code malformed}.
     */
    Mono<Map<ObjectId, Lease>> lookup(Collection<ObjectId> inputs, Set<ObjectId> malformed) {
        if (inputs.isEmpty()) {
            return Mono.just(Map.of());
        }
        return read("reading processor leases", in(ID, ids(inputs)), malformed);
    }

    private Mono<Map<ObjectId, Lease>> read(String context, Bson filter, @Nullable Set<ObjectId> malformed) {
        return serverMany(context, Flux.from(leases.find(filter)))
                .collect(HashMap<ObjectId, Lease>::new, (map, doc) -> {
                    Lease lease = Lease.parse(key, doc);
                    if (lease != null) {
                        map.put(lease.input(), lease);
                    } else if (malformed != null) {
                        ObjectId input = inputOf(doc.get(ID));
                        if (input != null) {
                            malformed.add(input);
                        }
                    }
                })
                .map(map -> (Map<ObjectId, Lease>) map);
    }

    /**
     * Takes the leases of a batch of inputs for run {@code take}. Inputs with no lease document yet get one with an
     * unordered insert of the whole batch: a duplicate key means another worker created it first, and it is
     * theirs. A new lease gets its anchor here, once; it never changes afterwards. Inputs whose lease exists and
     * is free (pending, or expired) are taken with one unordered bulk of conditional updates (the filter matches
     * only a lease nobody holds), then read back by {@code _id} to see which this run won. Only {@code _id} is in
     * the filters of the common path, so every server (the embedded one too) answers from the {@code _id} index.
     *
     * @param absent inputs the lookup found no lease for
     * @param free inputs whose lease the lookup found free
     * @return the leases this run now holds
     */
    Mono<Map<ObjectId, Lease>> take(List<ObjectId> absent, List<ObjectId> free, String owner, String take,
            Instant now, Duration leaseDuration) {
        Date nowDate = Date.from(now);
        Date until = Date.from(now.plus(leaseDuration));
        Instant untilInstant = until.toInstant();
        Map<ObjectId, Lease> won = new java.util.concurrent.ConcurrentHashMap<>();
        Mono<Void> inserts = Mono.empty();
        if (!absent.isEmpty()) {
            List<Document> docs = new ArrayList<>(absent.size());
            List<Lease> fresh = new ArrayList<>(absent.size());
            for (ObjectId input : absent) {
                ObjectId anchor = new ObjectId();
                docs.add(new Document(ID, leaseId(key, input)).append(P, key).append(INPUT, input)
                        .append(STATE, LEASED).append(OWNER, owner).append(TAKE, take).append(UNTIL, until)
                        .append(AT, nowDate).append(ATTEMPTS, 1).append(FAILURES, 0).append(ANCHOR, anchor));
                fresh.add(new Lease(input, LEASED, 1, 0, anchor, untilInstant, take));
            }
            inserts = Mono.from(leases.insertMany(docs, new InsertManyOptions().ordered(false)))
                    .then(Mono.fromRunnable(() -> fresh.forEach(l -> won.put(l.input(), l))))
                    .onErrorResume(Leases::onlyHeldByOthers, e -> {
                        Set<Integer> refusedIndexes = new java.util.HashSet<>();
                        for (BulkWriteError error : ((MongoBulkWriteException) e).getWriteErrors()) {
                            refusedIndexes.add(error.getIndex());
                        }
                        List<ObjectId> refused = new ArrayList<>();
                        for (int i = 0; i < fresh.size(); i++) {
                            if (refusedIndexes.contains(i)) {
                                refused.add(fresh.get(i).input());
                            } else {
                                won.put(fresh.get(i).input(), fresh.get(i));
                            }
                        }
                        // A refused lease may be this run's own, created by an earlier try of this same call whose
                        // answer was lost: read them back by _id.
                        return read("reading processor leases", in(ID, ids(refused)), null)
                                .doOnNext(read -> read.values().forEach(l -> {
                                    if (take.equals(l.take()) && LEASED.equals(l.state())) {
                                        won.put(l.input(), l);
                                    }
                                }))
                                .then();
                    })
                    .then()
                    .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate("creating "
                            + absent.size() + " processor leases", e));
        }
        Mono<Void> takeovers = Mono.empty();
        if (!free.isEmpty()) {
            List<WriteModel<Document>> ops = new ArrayList<>(free.size());
            for (ObjectId input : free) {
                Bson filter = and(eq(ID, leaseId(key, input)), nin(STATE, DONE, DEAD),
                        or(lte(UNTIL, nowDate), exists(UNTIL, false)));
                ops.add(new UpdateOneModel<>(filter, Updates.combine(Updates.set(STATE, LEASED),
                        Updates.set(OWNER, owner), Updates.set(TAKE, take), Updates.set(UNTIL, until),
                        Updates.set(AT, nowDate), Updates.inc(ATTEMPTS, 1))));
            }
            takeovers = server("taking " + free.size() + " processor leases", leases.bulkWrite(ops, UNORDERED))
                    .then(read("reading taken processor leases", in(ID, ids(free)), null))
                    .doOnNext(read -> read.values().forEach(l -> {
                        if (take.equals(l.take()) && LEASED.equals(l.state())) {
                            won.put(l.input(), l);
                        }
                    }))
                    .then();
        }
        return inserts.then(takeovers).then(Mono.fromSupplier(() -> Map.copyOf(won)));
    }

    /**
     * The inputs whose lease waits for a worker at {@code now}: pending or expired (one query, served by the
     * {@code {p, state}} index on MongoDB). Malformed documents are skipped.
     */
    Mono<List<Lease>> due(Instant now, int limit) {
        Bson filter = and(eq(P, key), in(STATE, PENDING, LEASED), or(lte(UNTIL, Date.from(now)),
                exists(UNTIL, false)));
        return serverMany("reading the processor leases due", Flux.from(leases.find(filter).limit(limit)))
                .mapNotNull(doc -> Lease.parse(key, doc))
                .collectList();
    }

    /** Whether a bulk failed only because some leases are held by others (duplicate keys of refused upserts). */
    private static boolean onlyHeldByOthers(Throwable e) {
        if (!(e instanceof MongoBulkWriteException bulk) || bulk.getWriteConcernError() != null) {
            return false;
        }
        for (BulkWriteError error : bulk.getWriteErrors()) {
            if (error.getCode() != DUPLICATE_KEY) {
                return false;
            }
        }
        return true;
    }

    /** Extends the leases of {@code inputs} that run {@code take} still holds to {@code until}. */
    Mono<Long> renew(String take, List<ObjectId> inputs, Instant until) {
        return Flux.fromIterable(ProcessorWorker.partition(inputs, RENEW_BATCH))
                .concatMap(batch -> server("renewing processor leases", leases.updateMany(and(in(ID, ids(batch)),
                        eq(STATE, LEASED), eq(TAKE, take)), Updates.set(UNTIL, Date.from(until)))))
                .map(r -> r.getModifiedCount())
                .reduce(0L, Long::sum);
    }

    /**
     * Gives back every lease run {@code take} still holds, for others to take at once: state PENDING with an
     * {@code until} in the past (whatever their clocks say).
     */
    Mono<Long> releaseAll(String take, Instant now) {
        return server("releasing processor leases", leases.updateMany(and(eq(P, key), eq(STATE, LEASED),
                eq(TAKE, take)), released(now)))
                .map(r -> r.getModifiedCount());
    }

    private static Bson released(Instant now) {
        return Updates.combine(Updates.set(STATE, PENDING), Updates.set(UNTIL, new Date(0)),
                Updates.set(AT, Date.from(now)), Updates.unset(TAKE), Updates.unset(OWNER));
    }

    /**
     * Records a batch of outcomes with one unordered bulk. A stored result marks the input done whoever holds the
     * lease now (the result exists, so that is the truth); a failure or release only changes a lease this run
     * still holds (if it lost it, the new holder decides).
     *
     * @param failures the failures each input had before this attempt, by input
     */
    Mono<Void> settle(List<Outcome> outcomes, String take, Map<ObjectId, Integer> failures, Instant now) {
        if (outcomes.isEmpty()) {
            return Mono.empty();
        }
        Date at = Date.from(now);
        List<WriteModel<Document>> ops = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            String id = leaseId(key, o.input());
            Bson mine = and(eq(ID, id), eq(TAKE, take), eq(STATE, LEASED));
            switch (o.kind()) {
                // By _id alone (the index on every server): the result is stored, so done is the truth whoever
                // holds the lease; clearing take makes a later failure report of another holder match nothing.
                case DONE -> ops.add(new UpdateOneModel<>(eq(ID, id), Updates.combine(Updates.set(STATE, DONE),
                        Updates.set(AT, at), Updates.set(OUTPUTS, o.outputs()), Updates.unset(TAKE),
                        Updates.unset(ERROR))));
                case DUPLICATE -> ops.add(new UpdateOneModel<>(eq(ID, id), Updates.combine(Updates.set(STATE, DONE),
                        Updates.set(AT, at), Updates.unset(TAKE), Updates.unset(ERROR))));
                case FAILED -> ops.add(new UpdateOneModel<>(mine, Updates.combine(Updates.set(STATE, PENDING),
                        Updates.set(UNTIL, Date.from(java.util.Objects.requireNonNull(o.retryAt()))),
                        Updates.set(AT, at), Updates.set(ERROR, error(o.error())),
                        Updates.set(FAILURES, failures.getOrDefault(o.input(), 0) + 1), Updates.unset(TAKE),
                        Updates.unset(OWNER))));
                case DEAD -> ops.add(new UpdateOneModel<>(mine, Updates.combine(Updates.set(STATE, DEAD),
                        Updates.set(AT, at), Updates.set(ERROR, error(o.error())),
                        Updates.set(FAILURES, failures.getOrDefault(o.input(), 0) + 1), Updates.unset(TAKE))));
                case RELEASED -> ops.add(new UpdateOneModel<>(mine, released(now)));
                default -> throw new IllegalStateException("unknown outcome " + o.kind());
            }
        }
        return server("recording " + outcomes.size() + " processor outcomes", leases.bulkWrite(ops, UNORDERED))
                .then();
    }

    static Document error(@Nullable Throwable error) {
        Throwable e = error instanceof ProcessorWorker.FunctionError && error.getCause() != null
                ? error.getCause() : error;
        String message = e == null ? "" : String.valueOf(e.getMessage());
        if (message.length() > MAX_MESSAGE) {
            // Never half a surrogate pair: it is not valid UTF-8, and strict readers (pymongo) refuse the document.
            int end = Character.isHighSurrogate(message.charAt(MAX_MESSAGE - 1)) ? MAX_MESSAGE - 1 : MAX_MESSAGE;
            message = message.substring(0, end) + "...";
        }
        return new Document("type", e == null ? "unknown" : e.getClass().getName()).append("message", message);
    }

    private static <T> Mono<T> server(String context, Publisher<T> call) {
        return Mono.from(call).onErrorMap(e -> !(e instanceof DatalakeException),
                e -> ServerFailures.translate(context, e));
    }

    private static <T> Flux<T> serverMany(String context, Flux<T> call) {
        return call.onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate(context, e));
    }
}
