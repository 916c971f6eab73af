package io.datalake.mongo.internal.gc;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.RegistryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The writer's side of the race between a deduplicated (or fresh) upload and a garbage collection that decided the
 * object is unreferenced. After a batch's datums are inserted, {@link #afterInsert} looks the batch's objects up in
 * {@link GcRecords} with one {@code _id $in} query; no record (the common case) means no collection can delete
 * them any more. A record means a run claimed the object before the insert was visible: the writer cancels a claim
 * still {@code CLAIMED} (the run then cannot delete), waits out a {@code DELETING}, and after that makes sure the
 * object exists, storing its bytes again if it was deleted. See the README's argument.
 */
public final class GcGuard {
    private static final Logger LOG = LoggerFactory.getLogger(GcGuard.class);
    private static final Duration POLL = Duration.ofMillis(20);

    private final MongoCollection<Document> records;
    /** Longest wait for a run's delete to end: its delete is bounded by the operation time limit. */
    private final Duration deletingWait;
    private final Exists exists;

    /** Whether an object exists in a registry the writer just wrote to. */
    @FunctionalInterface
    public interface Exists {
        /**
         * Tells whether the object exists.
         *
         * @param uri the registry's canonical URI
         * @param key the key
         * @return whether it exists
         */
        Mono<Boolean> exists(String uri, String key);
    }

    /**
     * One object a batch's datums reference.
     *
     * @param uri the registry's canonical URI
     * @param key the key
     * @param rewrite stores the datum's bytes again; emits the key they were stored under
     */
    public record Written(String uri, String key, Supplier<Mono<String>> rewrite) {
    }

    /**
     * Creates the guard.
     *
     * @param records the {@link GcRecords} collection
     * @param operationTimeout the lake's operation time limit
     * @param exists the registries' existence check
     */
    public GcGuard(MongoCollection<Document> records, Duration operationTimeout, Exists exists) {
        this.records = records;
        this.deletingWait = operationTimeout.plusSeconds(5);
        this.exists = exists;
    }

    /**
     * Makes sure that no concurrent collection leaves a just-inserted datum pointing at a deleted object.
     *
     * @param written the objects the inserted datums reference
     * @return completes when each exists; fails with a transient {@link RegistryException} when one was deleted and
     *     its bytes cannot be stored again (a stream already read, a file changed since): the caller undoes the batch
     */
    public Mono<Void> afterInsert(List<Written> written) {
        if (written.isEmpty()) {
            return Mono.empty();
        }
        Map<String, Written> byId = new LinkedHashMap<>();
        for (Written w : written) {
            byId.putIfAbsent(GcRecords.id(w.uri(), w.key()), w);
        }
        return Flux.from(records.find(in(GcRecords.ID, new ArrayList<>(byId.keySet()))))
                .concatMap(record -> {
                    Written w = byId.get(record.getString(GcRecords.ID));
                    return w == null ? Mono.<Void>empty() : settle(w, record, 0);
                })
                .then();
    }

    private Mono<Void> settle(Written w, Document record, long waitedMs) {
        String state = record.getString(GcRecords.STATE);
        String id = record.getString(GcRecords.ID);
        if (GcRecords.CLAIMED.equals(state)) {
            // Cancel the claim: the run moves CLAIMED -> DELETING only if its claim is still there.
            return Mono.from(records.deleteOne(and(eq(GcRecords.ID, id), eq(GcRecords.STATE, GcRecords.CLAIMED),
                            eq(GcRecords.GEN, record.get(GcRecords.GEN)))))
                    .flatMap(result -> result.getDeletedCount() == 1 ? ensureExists(w) : reread(w, id, waitedMs));
        }
        if (GcRecords.DELETING.equals(state)) {
            if (waitedMs >= deletingWait.toMillis()) {
                LOG.warn("payload {} of registry {} has been DELETING for {} ms: the collection that deletes it is"
                        + " presumably dead; checking the object", w.key(), w.uri(), waitedMs);
                return ensureExists(w);
            }
            return Mono.delay(POLL).then(reread(w, id, waitedMs + POLL.toMillis()));
        }
        return ensureExists(w);
    }

    private Mono<Void> reread(Written w, String id, long waitedMs) {
        return Flux.from(records.find(eq(GcRecords.ID, id)).limit(1)).next()
                .flatMap(record -> settle(w, record, waitedMs))
                .switchIfEmpty(Mono.defer(() -> ensureExists(w)));
    }

    private Mono<Void> ensureExists(Written w) {
        return exists.exists(w.uri(), w.key()).flatMap(present -> {
            if (present) {
                return Mono.empty();
            }
            LOG.warn("payload {} of registry {} was deleted by a concurrent garbage collection after this writer"
                    + " reused it; storing it again", w.key(), w.uri());
            return Mono.defer(w.rewrite())
                    .onErrorMap(e -> new RegistryException("payload " + w.key() + " of registry " + w.uri()
                            + " was deleted by a concurrent garbage collection and could not be stored again ("
                            + e.getMessage() + "); the batch was undone, add it again", true, e))
                    .flatMap(key -> key.equals(w.key()) ? Mono.<Void>empty()
                            : Mono.error(new RegistryException("payload " + w.key() + " of registry " + w.uri()
                                    + " was deleted by a concurrent garbage collection, and its source now hashes"
                                    + " to " + key + "; the batch was undone, add it again", true, null)));
        });
    }
}
