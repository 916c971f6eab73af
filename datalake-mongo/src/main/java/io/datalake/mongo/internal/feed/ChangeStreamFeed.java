package io.datalake.mongo.internal.feed;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.OperationType;
import com.mongodb.reactivestreams.client.ChangeStreamPublisher;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatalakeException;
import io.datalake.Datum;
import io.datalake.MalformedDatumException;
import io.datalake.feed.FeedEvent;
import io.datalake.feed.FeedToken;
import io.datalake.feed.InvalidFeedTokenException;
import io.datalake.query.engine.ServerFailures;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The change stream source (replica sets and sharded clusters): the server orders inserts by commit, so there is no
 * reorder window and no de-duplication; the position is the resume token of the last event (or a start operation
 * time for a position taken without an event). The filter is applied by asking the collection which ids of each
 * buffer of inserts match it, so its meaning is exactly that of a query level.
 */
final class ChangeStreamFeed {
    private static final Logger log = LoggerFactory.getLogger(ChangeStreamFeed.class);
    private static final int RESUME_TOKEN = 1;
    private static final int START_AT = 2;
    /** How long a partial buffer of inserts waits for more before its filter check. */
    private static final Duration BUFFER_WAIT = Duration.ofMillis(20);

    private final MongoCollection<RawBsonDocument> documents;
    private final Function<RawBsonDocument, Datum> decode;
    private final BsonDocument filter;
    private final long fingerprint;
    private final int batchSize;
    private final ChangeStreams changeStreams;
    private final Runnable requireOpen;

    ChangeStreamFeed(MongoCollection<RawBsonDocument> documents,
            Function<RawBsonDocument, Datum> decode, BsonDocument filter, long fingerprint,
            int batchSize, ChangeStreams changeStreams, Runnable requireOpen) {
        this.documents = documents;
        this.decode = decode;
        this.filter = filter;
        this.fingerprint = fingerprint;
        this.batchSize = batchSize;
        this.changeStreams = changeStreams;
        this.requireOpen = requireOpen;
    }

    /** A position "now": the server's operation time, just after it. */
    Mono<FeedToken> position() {
        return Mono.defer(() -> {
            requireOpen.run();
            return changeStreams.operationTime()
                    .switchIfEmpty(Mono.error(() -> new DatalakeException("change feed: the server reported no "
                            + "operation time, so no change stream position can be taken")))
                    .map(time -> startAtToken(new BsonTimestamp(time.getTime(), time.getInc() + 1)));
        });
    }

    /**
     * From the server's current operation time, so that a retry before the first event loses nothing; a server
     * that reports no operation time is followed from whenever the stream opens.
     */
    Flux<FeedEvent> fromNow() {
        return Flux.defer(() -> {
            requireOpen.run();
            return changeStreams.operationTime()
                    .map(time -> follow(startAtToken(new BsonTimestamp(time.getTime(), time.getInc() + 1))))
                    .defaultIfEmpty(follow(null))
                    .flatMapMany(events -> events);
        });
    }

    /** Follows the stream from a position. */
    Flux<FeedEvent> resume(FeedToken token) {
        return follow(token);
    }

    /**
     * Follows the stream from a position (or from when it opens). A transient failure re-opens it after the last
     * event delivered (the driver itself resumes once; this covers longer outages).
     */
    private Flux<FeedEvent> follow(@Nullable FeedToken start) {
        // One subscriber at a time per returned Flux (a retry resubscribes after the failure): no race.
        FeedToken[] last = {start};
        return Flux.defer(() -> {
                    requireOpen.run();
                    return events(last[0] == null ? stream() : streamFrom(last[0]));
                })
                .doOnNext(event -> last[0] = event.token())
                .retryWhen(FeedRetry.TRANSIENT);
    }

    private ChangeStreamPublisher<RawBsonDocument> streamFrom(FeedToken token) {
        ByteBuffer state = ByteBuffer.wrap(token.state());
        if (!state.hasRemaining()) {
            throw new InvalidFeedTokenException("feed token holds an empty change stream position");
        }
        int type = state.get();
        if (type == START_AT && state.remaining() == Long.BYTES) {
            return stream().startAtOperationTime(new BsonTimestamp(state.getLong()));
        }
        if (type == RESUME_TOKEN) {
            BsonDocument resumeToken;
            try {
                resumeToken = new BsonDocumentCodec().decode(new BsonBinaryReader(state.slice()),
                        DecoderContext.builder().build());
            } catch (RuntimeException e) {
                throw new InvalidFeedTokenException("feed token holds an unreadable change stream resume token", e);
            }
            return stream().resumeAfter(resumeToken);
        }
        throw new InvalidFeedTokenException("feed token holds an unknown change stream position");
    }

    private ChangeStreamPublisher<RawBsonDocument> stream() {
        List<Bson> pipeline = List.of(Aggregates.match(Filters.in("operationType", List.of("insert", "invalidate"))));
        return documents.watch(pipeline, RawBsonDocument.class).batchSize(batchSize);
    }

    private Flux<FeedEvent> events(ChangeStreamPublisher<RawBsonDocument> stream) {
        return Flux.from(stream)
                .onErrorMap(e -> ServerFailures.translate("change feed: following the change stream", e))
                .handle((ChangeStreamDocument<RawBsonDocument> change, reactor.core.publisher.SynchronousSink<
                        ChangeStreamDocument<RawBsonDocument>> sink) -> {
                    if (change.getOperationType() == OperationType.INVALIDATE) {
                        sink.error(new DatalakeException("change feed: the change stream was invalidated (the "
                                + "collection was dropped or renamed)"));
                    } else {
                        sink.next(change);
                    }
                })
                .bufferTimeout(batchSize, BUFFER_WAIT, true)
                .concatMap(this::matching, 0)
                .concatMapIterable(events -> events);
    }

    /** The events of a buffer whose documents match the filter, in stream order. */
    private Mono<List<FeedEvent>> matching(List<ChangeStreamDocument<RawBsonDocument>> changes) {
        Mono<Set<Object>> matchingIds;
        if (filter.isEmpty()) {
            matchingIds = Mono.just(Set.of());
        } else {
            List<Object> ids = new ArrayList<>(changes.size());
            for (ChangeStreamDocument<RawBsonDocument> change : changes) {
                if (change.getDocumentKey() != null && change.getDocumentKey().containsKey("_id")) {
                    ids.add(change.getDocumentKey().get("_id"));
                }
            }
            matchingIds = Flux.from(documents.find(and(in("_id", ids), filter))
                            .projection(Projections.include("_id")))
                    .onErrorMap(e -> ServerFailures.translate("change feed: checking the filter", e))
                    .collect(HashSet::new, (set, doc) -> set.add(doc.get("_id")));
        }
        return matchingIds.map(matches -> {
            List<FeedEvent> events = new ArrayList<>(changes.size());
            for (ChangeStreamDocument<RawBsonDocument> change : changes) {
                RawBsonDocument document = change.getFullDocument();
                if (document == null || !filter.isEmpty() && !matches.contains(document.get("_id"))) {
                    continue;
                }
                Datum datum = decodeOrSkip(document);
                if (datum != null) {
                    events.add(new FeedEvent(datum, resumeToken(change.getResumeToken())));
                }
            }
            return events;
        });
    }

    private @Nullable Datum decodeOrSkip(RawBsonDocument raw) {
        try {
            return decode.apply(raw);
        } catch (MalformedDatumException e) {
            log.warn("change feed: skipped document {} of the datum collection: {}", e.documentId(),
                    e.getMessage());
            return null;
        }
    }

    private FeedToken resumeToken(BsonDocument token) {
        org.bson.ByteBuf buffer = new RawBsonDocument(token, new BsonDocumentCodec()).getByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return FeedToken.of(FeedToken.Kind.CHANGE_STREAM, fingerprint, () -> {
            ByteBuffer state = ByteBuffer.allocate(1 + bytes.length);
            return state.put((byte) RESUME_TOKEN).put(bytes).array();
        });
    }

    private FeedToken startAtToken(BsonTimestamp time) {
        return FeedToken.of(FeedToken.Kind.CHANGE_STREAM, fingerprint,
                () -> ByteBuffer.allocate(1 + Long.BYTES).put((byte) START_AT).putLong(time.getValue()).array());
    }
}
