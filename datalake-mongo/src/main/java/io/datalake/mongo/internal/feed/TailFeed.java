package io.datalake.mongo.internal.feed;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;

import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datum;
import io.datalake.MalformedDatumException;
import io.datalake.feed.FeedEvent;
import io.datalake.query.engine.ServerFailures;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The polling tail: follows the datum collection by {@code _id} (an ObjectId starts with its writer's clock, in
 * seconds) with a re-read window, for servers without change streams.
 *
 * <p>Each scan reads {@code _id >= cursor} in {@code _id} order, one page of ids per server call, and delivers the
 * ids it has not handled yet. A scan that starts at watcher time {@code T} sets the start of the next scan to
 * {@code next = id(T - window)} (floored to the second). Why nothing is missed: a datum the scan did not return was
 * not visible when the scan started (a visible one in the range is returned by the page that covers it), so it was
 * stamped after {@code T - skew - latency}, which is after {@code T - window} when {@code skew + latency < window};
 * its id is therefore at or above {@code next} and the next scan reads it. Why nothing is delivered twice: every
 * delivered id at or above the lowest bound a later read can use is kept (and in the token) and skipped when read
 * again. A datum visible later than that ("late") lands below every later read; a band of one window below the
 * threshold is checked each scan for such datums, which are delivered with a warning naming them.
 *
 * <p>Backpressure: a page is read only when the subscriber has demand left and the previous page was delivered,
 * so at most one page of datums is held. Cancelling stops after the server call under way.
 */
final class TailFeed {
    private static final Logger log = LoggerFactory.getLogger(TailFeed.class);
    private static final Bson ID_ONLY = Projections.include("_id");

    /** Receives the late datums, for tests; the lake logs them. */
    interface LateListener {
        void late(Datum datum, ObjectId threshold);
    }

    /** The logging listener every lake uses. */
    static final LateListener WARN = (datum, threshold) -> log.warn("change feed: datum {} (id stamped {}) became "
            + "visible after the reorder window (the feed had already passed {}): delivered late. A writer's clock "
            + "is behind or an insert took longer than the window; a watcher resumed from a token may miss such "
            + "datums: increase WatchOptions.reorderWindow", datum.id(), datum.id().getDate().toInstant(),
            threshold.getDate().toInstant());

    private final MongoCollection<Document> ids;
    private final MongoCollection<RawBsonDocument> documents;
    private final Function<RawBsonDocument, Datum> decode;
    private final Clock clock;
    private final BsonDocument filter;
    private final long fingerprint;
    private final Duration window;
    private final Duration pollInterval;
    private final int batchSize;
    private final LateListener lateListener;
    private final Runnable requireOpen;
    private final AtomicLong pagesRead = new AtomicLong();
    private final AtomicLong datumsRead = new AtomicLong();

    TailFeed(MongoCollection<Document> ids, MongoCollection<RawBsonDocument> documents,
            Function<RawBsonDocument, Datum> decode, Clock clock, BsonDocument filter, long fingerprint,
            Duration window, Duration pollInterval, int batchSize, LateListener lateListener, Runnable requireOpen) {
        this.ids = ids;
        this.documents = documents;
        this.decode = decode;
        this.clock = clock;
        this.filter = filter;
        this.fingerprint = fingerprint;
        this.window = window;
        this.pollInterval = pollInterval;
        this.batchSize = batchSize;
        this.lateListener = lateListener;
        this.requireOpen = requireOpen;
    }

    /** Pages of ids read so far by feeds of this instance (server calls of the main scan). */
    long pagesRead() {
        return pagesRead.get();
    }

    /** Full datum documents read so far by feeds of this instance. */
    long datumsRead() {
        return datumsRead.get();
    }

    /**
     * The position "now": the next scan starts a window back, and every id visible there now is handled.
     */
    Mono<TailState> now() {
        return Mono.defer(() -> {
            requireOpen.run();
            ObjectId start = ObjectIds.atSecond(clock.instant().minus(window));
            TailState state = new TailState(false, start, start);
            return readIds(filter, start)
                    .doOnNext(state::markHandled)
                    .then(Mono.just(state));
        });
    }

    /**
     * Follows the collection from {@code state}, which this feed then owns and mutates.
     */
    Flux<FeedEvent> events(TailState state) {
        return Flux.defer(() -> {
            Run run = new Run(state);
            return Flux.<Boolean>generate(sink -> sink.next(Boolean.TRUE)).concatMap(tick -> run.step(), 0);
        });
    }

    /** Every id matching {@code query}, ascending, one page per server call. */
    private Flux<ObjectId> readIds(Bson query, ObjectId from) {
        return Flux.defer(() -> page(query, from)).expand(page -> page.size() < batchSize ? Flux.empty()
                        : page(query, ObjectIds.successor(page.get(page.size() - 1))))
                .concatMapIterable(page -> page);
    }

    private Mono<List<ObjectId>> page(Bson range, ObjectId from) {
        Bson query = and(gte("_id", from), range);
        return Flux.from(ids.find(query).projection(ID_ONLY).sort(Sorts.ascending("_id")).limit(batchSize))
                .onErrorMap(e -> ServerFailures.translate("change feed: reading ids from " + from, e))
                .<ObjectId>handle((doc, sink) -> {
                    Object id = doc.get("_id");
                    if (id instanceof ObjectId) {
                        sink.next((ObjectId) id);
                    }
                })
                .collectList();
    }

    /** One subscription's loop; its steps run one at a time, so the state needs no locking. */
    private final class Run {
        private final TailState state;
        /** The lowest id this subscription knows it handled everything above: late checks start here. */
        private final ObjectId floor;
        /** Handled ids that fell below the threshold within the last window, for the late check. */
        private final NavigableSet<ObjectId> retired = new TreeSet<>();

        Run(TailState state) {
            this.state = state;
            this.floor = state.threshold();
        }

        /**
         * One step: the start of a scan (its late check) or one page of the current scan. The state changes only
         * once a step's reads succeeded, so a step that failed transiently simply runs again.
         */
        Flux<FeedEvent> step() {
            return Mono.defer(() -> {
                requireOpen.run();
                if (!state.scanning()) {
                    retire(state.startScan(ObjectIds.atSecond(clock.instant().minus(window))));
                    return lateCheck().map(Flux::fromIterable);
                }
                return scanPage().map(events -> {
                    Flux<FeedEvent> out = Flux.fromIterable(events);
                    return state.scanning() ? out : out.concatWith(Mono.delay(pollInterval).then(Mono.empty()));
                });
            }).retryWhen(FeedRetry.TRANSIENT).flatMapMany(events -> events);
        }

        /** Reads one page of the current scan and returns its new datums, handled, with their tokens. */
        private Mono<List<FeedEvent>> scanPage() {
            ObjectId from = state.cursor();
            return page(filter, from).flatMap(page -> {
                pagesRead.incrementAndGet();
                List<ObjectId> fresh = new ArrayList<>();
                for (ObjectId id : page) {
                    if (!state.isHandled(id)) {
                        fresh.add(id);
                    }
                }
                return fetch(fresh).map(datums -> {
                    List<FeedEvent> events = new ArrayList<>(datums.size());
                    for (ObjectId id : fresh) {
                        Datum datum = datums.get(id);
                        state.markHandled(id);
                        if (datum != null) {
                            events.add(new FeedEvent(datum, state.tokenAfter(id, fingerprint)));
                        }
                    }
                    if (page.size() < batchSize) {
                        retire(state.finishScan());
                    } else {
                        retire(state.advance(ObjectIds.successor(page.get(page.size() - 1))));
                    }
                    return events;
                });
            });
        }

        /**
         * Finds datums that became visible below the threshold within the last window after the scans passed
         * them: delivered with a warning. Their ids are below every later read, so they need no place in tokens.
         */
        private Mono<List<FeedEvent>> lateCheck() {
            ObjectId threshold = state.threshold();
            ObjectId low = ObjectIds.max(floor, ObjectIds.atSecond(threshold.getDate().toInstant().minus(window)));
            retired.headSet(low, false).clear();
            if (low.compareTo(threshold) >= 0) {
                return Mono.just(List.of());
            }
            return readIds(and(lt("_id", threshold), filter), low)
                    .filter(id -> !retired.contains(id))
                    .collectList()
                    .flatMap(lateIds -> lateIds.isEmpty() ? Mono.just(List.<FeedEvent>of())
                            : fetch(lateIds).map(datums -> {
                                List<FeedEvent> events = new ArrayList<>();
                                for (ObjectId id : lateIds) {
                                    retired.add(id);
                                    Datum datum = datums.get(id);
                                    if (datum != null) {
                                        lateListener.late(datum, threshold);
                                        events.add(new FeedEvent(datum, state.token(fingerprint)));
                                    }
                                }
                                return events;
                            }));
        }

        /** Keeps the ids that fell below the threshold for one window (the late check's band), no longer. */
        private void retire(NavigableSet<ObjectId> dropped) {
            retired.addAll(dropped);
            retired.headSet(ObjectIds.atSecond(state.threshold().getDate().toInstant().minus(window)), false).clear();
        }
    }

    /** Reads and decodes the documents of {@code wanted}; unreadable ones are skipped with a warning. */
    private Mono<Map<ObjectId, Datum>> fetch(List<ObjectId> wanted) {
        if (wanted.isEmpty()) {
            return Mono.just(Map.of());
        }
        return Flux.from(documents.find(in("_id", wanted)))
                .onErrorMap(e -> ServerFailures.translate("change feed: reading " + wanted.size() + " datums", e))
                .collect(() -> new HashMap<ObjectId, Datum>(wanted.size() * 2), (found, raw) -> {
                    datumsRead.incrementAndGet();
                    Datum datum = decodeOrSkip(raw);
                    if (datum != null) {
                        found.put(datum.id(), datum);
                    }
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
}
