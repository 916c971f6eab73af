package io.datalake.mongo.internal;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.InvalidArgumentException;
import io.datalake.query.engine.ServerFailures;
import io.datalake.registry.RegistryKeys;
import java.nio.ByteBuffer;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The reads by id of {@link MongoDatalake}: {@code getDatum}, {@code getData}, {@code getPayload}. Documents are
 * decoded by {@link StoredDatums} (they are untrusted) and registry payloads loaded by {@link PayloadStore}.
 */
final class DatumReader {
    /** Concurrent {@code $in} batches of one getData call; small so one call cannot hog the pool. */
    private static final int READ_CONCURRENCY = 4;

    private final MongoCollection<RawBsonDocument> encodedDocuments;
    private final Codec<DatumEntity> entityCodec;
    private final PayloadStore payloads;
    private final int batchSize;
    private final Runnable requireOpen;

    DatumReader(MongoCollection<RawBsonDocument> encodedDocuments, Codec<DatumEntity> entityCodec,
            PayloadStore payloads, int batchSize, Runnable requireOpen) {
        this.encodedDocuments = encodedDocuments;
        this.entityCodec = entityCodec;
        this.payloads = payloads;
        this.batchSize = batchSize;
        this.requireOpen = requireOpen;
    }

    /** See {@link io.datalake.Datalake#getDatum(ObjectId, boolean)}. */
    Mono<Datum> getDatum(ObjectId id, boolean loadPayload) {
        if (id == null) {
            return Mono.error(new InvalidArgumentException("getDatum: id must not be null"));
        }
        return Mono.defer(() -> {
                    requireOpen.run();
                    return Mono.from(encodedDocuments.find(eq(DatumEntity.ID, id)).first());
                })
                .onErrorMap(e -> ServerFailures.translate("getDatum " + id, e))
                .map(raw -> StoredDatums.decode(raw, entityCodec))
                .switchIfEmpty(Mono.error(() -> new DatumNotFoundException("getDatum", List.of(id))))
                .flatMap(datum -> loadPayload ? payloads.load(datum, null) : Mono.just(datum));
    }

    /** See {@link io.datalake.Datalake#getData(List, boolean)}. */
    Flux<Datum> getData(List<ObjectId> ids, boolean loadPayloads) {
        if (ids == null) {
            return Flux.error(new InvalidArgumentException("getData: ids must not be null"));
        }
        int nullAt = indexOfNull(ids);
        if (nullAt >= 0) {
            return Flux.error(new InvalidArgumentException("getData: id at index " + nullAt + " is null"));
        }
        return Flux.defer(() -> {
            requireOpen.run();
            List<ObjectId> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
            return Flux.fromIterable(Batches.partition(distinct, batchSize))
                    .flatMap(batch -> Flux.from(encodedDocuments.find(in(DatumEntity.ID, batch))), READ_CONCURRENCY)
                    .onErrorMap(e -> ServerFailures.translate("getData of " + ids.size() + " ids", e))
                    .map(raw -> StoredDatums.decode(raw, entityCodec))
                    .collectMap(Datum::id, datum -> datum, () -> new HashMap<>(distinct.size()))
                    .flatMapMany(found -> {
                        List<ObjectId> missing = new ArrayList<>();
                        for (ObjectId id : distinct) {
                            if (!found.containsKey(id)) {
                                missing.add(id);
                            }
                        }
                        if (!missing.isEmpty()) {
                            return Flux.error(new DatumNotFoundException("getData", missing));
                        }
                        if (!loadPayloads) {
                            return Flux.fromIterable(ids).map(found::get);
                        }
                        PayloadStore.PayloadCache cache = PayloadStore.newCache();
                        return Flux.fromIterable(found.values())
                                .flatMap(datum -> payloads.load(datum, cache), payloads.concurrency())
                                .collectMap(Datum::id)
                                .flatMapMany(loaded -> Flux.fromIterable(ids).map(loaded::get));
                    });
        });
    }

    /** See {@link io.datalake.Datalake#getPayload(ObjectId)}. */
    Flux<ByteBuffer> getPayload(ObjectId id) {
        return getDatum(id, false).flatMapMany(payloads::stream);
    }

    /** See {@link io.datalake.Datalake#getPayload(Datum)}. */
    Flux<ByteBuffer> getPayload(Datum datum) {
        if (datum == null) {
            return Flux.error(new InvalidArgumentException("getPayload: datum must not be null"));
        }
        return Flux.defer(() -> {
            requireOpen.run();
            String key = datum.registryKey();
            if (key != null && datum.registryUri() != null) {
                // A caller-built datum has not been through StoredDatums' key check: no backend sees a bad key.
                try {
                    RegistryKeys.validate(key);
                } catch (InvalidArgumentException e) {
                    return Flux.error(new InvalidArgumentException("getPayload: datum " + datum.id() + ": "
                            + e.getMessage(), e));
                }
            }
            return payloads.stream(datum);
        });
    }

    /**
     * Builds the API view of an entity: a new one, or a stored one that {@link StoredDatums} checked.
     *
     * @throws IllegalArgumentException if a stored value has no JSON-like form or a required field is missing
     */
    static Datum toDatum(DatumEntity entity) {
        if (entity.id == null || entity.addedAt == null) {
            throw new IllegalArgumentException(entity.id == null ? "it has no ObjectId _id" : "it has no added_at");
        }
        return Datum.builder()
                .id(entity.id)
                .data(BsonValues.fromStoredChecked(entity.data, DatumEntity.DATA))
                .registryUri(entity.registryUri)
                .registryKey(entity.registryKey)
                .payload(PayloadStore.fromStored(entity.payload))
                .derivedFrom(entity.derivedFrom)
                .metadata(metadataOf(entity))
                .addedAt(entity.addedAt.truncatedTo(ChronoUnit.MILLIS))
                .build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, @Nullable Object> metadataOf(DatumEntity entity) {
        Object metadata = BsonValues.fromStoredChecked(entity.metadata, DatumEntity.METADATA);
        return metadata == null ? Map.of() : (Map<String, @Nullable Object>) metadata;
    }

    private static int indexOfNull(List<?> list) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                return i;
            }
        }
        return -1;
    }
}
