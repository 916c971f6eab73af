package io.datalake.mongo.internal;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datum;
import io.datalake.MalformedDatumException;
import io.datalake.mongo.internal.schema.StoredDatumSource;
import io.datalake.query.engine.ServerFailures;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonObjectId;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Pages of stored datums in {@code _id} order for scans that must not hold one cursor for longer than the operation
 * time limit (the schema check): each page is its own bounded query. Documents that are not datums are skipped with
 * a warning, as every whole-lake operation does.
 */
final class StoredDatumPages implements StoredDatumSource {
    private static final Logger LOG = LoggerFactory.getLogger(StoredDatumPages.class);

    private final MongoCollection<RawBsonDocument> encodedDocuments;
    private final Codec<DatumEntity> entityCodec;
    private final PayloadStore payloads;

    StoredDatumPages(MongoCollection<RawBsonDocument> encodedDocuments, Codec<DatumEntity> entityCodec,
            PayloadStore payloads) {
        this.encodedDocuments = encodedDocuments;
        this.entityCodec = entityCodec;
        this.payloads = payloads;
    }

    @Override
    public Mono<Page> page(Bson filter, @Nullable ObjectId after, int limit) {
        Bson query = after == null ? filter : Filters.and(filter, Filters.gt(DatumEntity.ID, after));
        return Flux.from(encodedDocuments.find(query).sort(Sorts.ascending(DatumEntity.ID)).limit(limit))
                .collectList()
                .onErrorMap(e -> ServerFailures.translate("reading a page of datums", e))
                .map(raws -> {
                    List<Datum> datums = new ArrayList<>(raws.size());
                    ObjectId last = null;
                    for (RawBsonDocument raw : raws) {
                        if (raw.get(DatumEntity.ID) instanceof BsonObjectId id) {
                            last = id.getValue();
                        }
                        try {
                            datums.add(StoredDatums.decode(raw, entityCodec));
                        } catch (MalformedDatumException e) {
                            LOG.warn("skipping a stored document that is not a datum: {}", e.getMessage());
                        }
                    }
                    return new Page(datums, raws.size(), last);
                });
    }

    @Override
    public Mono<Datum> withPayload(Datum datum) {
        return payloads.load(datum, null);
    }
}
