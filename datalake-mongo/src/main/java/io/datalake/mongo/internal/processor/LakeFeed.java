package io.datalake.mongo.internal.processor;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.feed.FeedEvent;
import io.datalake.feed.FeedToken;
import io.datalake.feed.WatchOptions;
import io.datalake.processor.ProcessorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The new inputs of a continuous run from the lake's change feed ({@link Datalake#watchEvents}), filtered by the
 * input level's filter. Each batch of new datums becomes rows: directly for a {@code matching} input, or by the
 * input query restricted to those ids for a {@code missing} input, so the other levels' conditions are checked by
 * the engine. A transient feed failure resumes from the position after the last datum delivered.
 */
final class LakeFeed implements FeedUnits {
    private static final Logger LOG = LoggerFactory.getLogger(LakeFeed.class);
    /** New datums wait at most this long to be leased together. */
    private static final Duration BATCH_DELAY = Duration.ofMillis(20);

    private final Datalake lake;
    private final InputQuery inputs;
    private final WatchOptions watch;
    private final ProcessorOptions options;
    private final String key;
    private final AtomicReference<@Nullable FeedToken> position = new AtomicReference<>();

    LakeFeed(Datalake lake, InputQuery inputs, ProcessorOptions options, String key) {
        this.lake = lake;
        this.inputs = inputs;
        this.options = options;
        this.key = key;
        // The feed polls at its own default pace, or faster when the run polls faster.
        Duration poll = options.pollInterval().compareTo(WatchOptions.DEFAULT_POLL_INTERVAL) < 0
                ? options.pollInterval() : WatchOptions.DEFAULT_POLL_INTERVAL;
        this.watch = WatchOptions.builder().filter(inputs.feedFilter()).pollInterval(poll).build();
    }

    @Override
    public Mono<Void> start() {
        return lake.feedPosition(watch)
                .retryWhen(Retry.backoff(options.maxRetries(), options.minBackoff()).maxBackoff(options.maxBackoff())
                        .jitter(options.jitter()).filter(ProcessorWorker::isTransient))
                .doOnNext(position::set)
                .then();
    }

    @Override
    public Flux<List<Map<String, ObjectId>>> units(int batchSize) {
        Flux<FeedEvent> events = Flux.defer(() -> {
            FeedToken from = position.get();
            WatchOptions o = from == null ? watch : watch.toBuilder().from(from).build();
            return lake.watchEvents(o);
        }).retryWhen(Retry.backoff(Long.MAX_VALUE, options.minBackoff()).maxBackoff(options.maxBackoff())
                .jitter(options.jitter())
                .transientErrors(true)
                .filter(ProcessorWorker::isTransient)
                .doBeforeRetry(signal -> LOG.warn("processor {}: change feed failed, resuming from the last"
                        + " position: {}", key, signal.failure().toString())));
        return events
                .doOnNext(event -> position.set(event.token()))
                .map(FeedEvent::datum)
                .map(Datum::id)
                .bufferTimeout(batchSize, BATCH_DELAY, true)
                .concatMap(ids -> inputs.rowsOf(new ArrayList<>(ids))
                        .retryWhen(Retry.backoff(options.maxRetries(), options.minBackoff())
                                .maxBackoff(options.maxBackoff()).jitter(options.jitter())
                                .filter(ProcessorWorker::isTransient)), 0)
                .filter(rows -> !rows.isEmpty());
    }
}
