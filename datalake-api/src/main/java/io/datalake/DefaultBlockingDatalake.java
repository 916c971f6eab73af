package io.datalake;

import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.QueryResult;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Blocking view over a reactive lake, as {@link Datalake#blocking()} returns it. Package-private so that the API
 * interface builds it without importing an implementation package (which made the only import circle).
 */
final class DefaultBlockingDatalake implements BlockingDatalake {
    private final Datalake lake;

    /**
     * Wraps a reactive lake.
     *
     * @param lake the lake whose calls this view blocks on
     */
    DefaultBlockingDatalake(Datalake lake) {
        this.lake = lake;
    }

    @Override
    public Datum addDatum(@Nullable Object data, @Nullable Map<String, ? extends @Nullable Object> metadata) {
        return await(lake.addDatum(data, metadata));
    }

    @Override
    public Datum addDatum(
            @Nullable Object data,
            @Nullable Map<String, ? extends @Nullable Object> metadata,
            @Nullable String registryUri,
            @Nullable ObjectId derivedFrom) {
        return await(lake.addDatum(data, metadata, registryUri, derivedFrom));
    }

    @Override
    public Datum addDatum(NewDatum datum) {
        return await(lake.addDatum(datum));
    }

    @Override
    public List<Datum> addData(List<NewDatum> data) {
        return awaitAll(lake.addData(Flux.fromIterable(data)));
    }

    @Override
    public Datum getDatum(ObjectId id) {
        return await(lake.getDatum(id));
    }

    @Override
    public List<Datum> getData(List<ObjectId> ids) {
        return awaitAll(lake.getData(ids));
    }

    @Override
    public Datum getDatum(ObjectId id, boolean loadPayload) {
        return await(lake.getDatum(id, loadPayload));
    }

    @Override
    public List<Datum> getData(List<ObjectId> ids, boolean loadPayloads) {
        return awaitAll(lake.getData(ids, loadPayloads));
    }

    @Override
    public InputStream openPayload(ObjectId id) {
        return new ByteBufferInputStream(lake.getPayload(id));
    }

    @Override
    public List<ObjectId> getDirectlyDerivedData(ObjectId id) {
        return awaitAll(lake.getDirectlyDerivedData(id));
    }

    @Override
    public List<ObjectId> getIndirectlyDerivedData(ObjectId id) {
        return awaitAll(lake.getIndirectlyDerivedData(id));
    }

    @Override
    public List<ObjectId> getAncestors(ObjectId id) {
        return awaitAll(lake.getAncestors(id));
    }

    @Override
    public Lineage getLineage(ObjectId id, LineageDirection direction, int maxDepth, int maxNodes) {
        return await(lake.getLineage(id, direction, maxDepth, maxNodes));
    }

    @Override
    public LakeStats getStats() {
        return await(lake.getStats());
    }

    @Override
    public QueryResult queryData(Query query, @Nullable Integer datumsWanted, boolean transpose) {
        return await(lake.queryData(query, datumsWanted, transpose));
    }

    @Override
    public QueryResult queryData(String jsonQuery, @Nullable Integer datumsWanted, boolean transpose) {
        return await(lake.queryData(jsonQuery, datumsWanted, transpose));
    }

    @Override
    public QueryResult queryData(List<? extends Map<String, ?>> query, @Nullable Integer datumsWanted,
            boolean transpose) {
        return await(lake.queryData(query, datumsWanted, transpose));
    }

    @Override
    public QueryResult queryData(Query query, QueryOptions options) {
        return await(lake.queryData(query, options));
    }

    @Override
    public Stream<Map<String, ObjectId>> queryRows(Query query, QueryOptions options) {
        return lake.queryRows(query, options).toStream();
    }

    @Override
    public QueryPlan explain(Query query, QueryOptions options) {
        return lake.explain(query, options);
    }

    @Override
    public Datalake reactive() {
        return lake;
    }

    @Override
    public void close() {
        lake.close();
    }

    /**
     * Blocks for a single value; our publishers never complete empty, so an empty result is a bug worth naming.
     *
     * @param mono the call
     * @param <T> the result type
     * @return the value
     */
    public static <T> T await(Mono<T> mono) {
        T value = mono.block();
        if (value == null) {
            throw new DatalakeException("operation completed without a result");
        }
        return value;
    }

    /**
     * Blocks for every value of a flux.
     *
     * @param flux the call
     * @param <T> the element type
     * @return the values in order
     */
    public static <T> List<T> awaitAll(Flux<T> flux) {
        List<T> values = flux.collectList().block();
        return values == null ? List.of() : values;
    }
}
