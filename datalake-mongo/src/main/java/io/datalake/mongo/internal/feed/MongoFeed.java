package io.datalake.mongo.internal.feed;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatalakeException;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.feed.FeedEvent;
import io.datalake.feed.FeedToken;
import io.datalake.feed.FeedTokenMismatchException;
import io.datalake.feed.WatchOptions;
import io.datalake.query.Query;
import io.datalake.query.engine.QueryEngine;
import java.time.Clock;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The change feed of a MongoDB lake: checks the options (the filter as the query engine checks a query level's, the
 * token against the filter) before any I/O, then follows the collection with the polling tail ({@link TailFeed}) or
 * a change stream ({@link ChangeStreamFeed}) as the options and the server allow.
 */
public final class MongoFeed {
    private final MongoCollection<Document> ids;
    private final MongoCollection<RawBsonDocument> documents;
    private final Function<RawBsonDocument, Datum> decode;
    private final Clock clock;
    private final Runnable requireOpen;
    private final TailFeed.LateListener lateListener;
    private final ChangeStreams changeStreams;

    /**
     * Creates the feed of a collection.
     *
     * @param ids the datum collection, for id-only reads (under the lake's operation time limit)
     * @param documents the same collection as raw documents, for the datums delivered
     * @param decode turns a stored document into a datum; throws {@link io.datalake.MalformedDatumException} for a
     *     document that is not one (skipped with a warning)
     * @param clock the watcher's clock: scans start a reorder window before it
     * @param requireOpen fails when the lake is closed
     * @param changeStreams tells whether the server offers change streams (asked once per lake)
     */
    public MongoFeed(MongoCollection<Document> ids, MongoCollection<RawBsonDocument> documents,
            Function<RawBsonDocument, Datum> decode, Clock clock, Runnable requireOpen, ChangeStreams changeStreams) {
        this(ids, documents, decode, clock, requireOpen, changeStreams, TailFeed.WARN);
    }

    MongoFeed(MongoCollection<Document> ids, MongoCollection<RawBsonDocument> documents,
            Function<RawBsonDocument, Datum> decode, Clock clock, Runnable requireOpen, ChangeStreams changeStreams,
            TailFeed.LateListener lateListener) {
        this.ids = ids;
        this.documents = documents;
        this.decode = decode;
        this.clock = clock;
        this.requireOpen = requireOpen;
        this.changeStreams = changeStreams;
        this.lateListener = lateListener;
    }

    /**
     * See {@link io.datalake.Datalake#watchEvents}.
     *
     * @param options the options
     * @return the events
     */
    public Flux<FeedEvent> watchEvents(WatchOptions options) {
        return Flux.defer(() -> {
            BsonDocument filter = validFilter(options);
            TailFeed tail = tail(options, filter);
            FeedToken token = options.token();
            switch (options.start()) {
                case TOKEN:
                    if (token == null) {
                        throw new InvalidArgumentException("watch: start TOKEN without a token");
                    }
                    if (token.filterFingerprint() != options.filterFingerprint()) {
                        throw new FeedTokenMismatchException("watch: the token was made for another filter than "
                                + filter.toJson() + " (fingerprints " + Long.toHexString(token.filterFingerprint())
                                + " and " + Long.toHexString(options.filterFingerprint()) + ")");
                    }
                    if (token.kind() == FeedToken.Kind.CHANGE_STREAM) {
                        return changeStream(options, filter).resume(token);
                    }
                    if (options.source() == WatchOptions.Source.CHANGE_STREAM) {
                        throw new InvalidArgumentException("watch: source CHANGE_STREAM cannot resume a token of "
                                + "the polling tail; use Source.AUTO or TAIL");
                    }
                    return tail.events(TailState.decode(token.state()));
                case BEGINNING:
                    if (options.source() == WatchOptions.Source.CHANGE_STREAM) {
                        throw new InvalidArgumentException("watch: a change stream cannot start from the beginning;"
                                + " use Source.AUTO or TAIL");
                    }
                    return tail.events(TailState.beginning());
                case NOW:
                default:
                    return useChangeStream(options).flatMapMany(use -> use
                            ? changeStream(options, filter).fromNow()
                            : tail.now().flatMapMany(tail::events));
            }
        });
    }

    /**
     * See {@link io.datalake.Datalake#feedPosition}.
     *
     * @param options the filter, window and source the position is for
     * @return the token
     */
    public Mono<FeedToken> position(WatchOptions options) {
        return Mono.defer(() -> {
            BsonDocument filter = validFilter(options);
            return useChangeStream(options).flatMap(use -> use
                    ? changeStream(options, filter).position()
                    : tail(options, filter).now().map(state -> state.token(options.filterFingerprint())));
        });
    }

    private Mono<Boolean> useChangeStream(WatchOptions options) {
        switch (options.source()) {
            case TAIL:
                return Mono.just(false);
            case CHANGE_STREAM:
                return changeStreams.supported().flatMap(supported -> supported ? Mono.just(true)
                        : Mono.error(new DatalakeException("watch: source CHANGE_STREAM asked for, but the server "
                                + "offers no change streams (it is not a replica set or sharded cluster)")));
            case AUTO:
            default:
                return changeStreams.supported();
        }
    }

    private TailFeed tail(WatchOptions options, BsonDocument filter) {
        return new TailFeed(ids, documents, decode, clock, filter, options.filterFingerprint(),
                options.reorderWindow(), options.pollInterval(), options.batchSize(), lateListener, requireOpen);
    }

    private ChangeStreamFeed changeStream(WatchOptions options, BsonDocument filter) {
        return new ChangeStreamFeed(documents, decode, filter, options.filterFingerprint(), options.batchSize(),
                changeStreams, requireOpen);
    }

    private static BsonDocument validFilter(WatchOptions options) {
        if (options == null) {
            throw new InvalidArgumentException("watch: options must not be null (use WatchOptions.defaults())");
        }
        BsonDocument filter = options.filter().toBsonDocument();
        QueryEngine.validate(Query.builder().base("watch", filter).build());
        return filter;
    }
}
