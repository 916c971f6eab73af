package io.datalake.mongo.internal.feed;

import io.datalake.DatalakeException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.util.retry.Retry;

/** How both feed sources ride out transient failures (a primary stepping down, a call timing out). */
final class FeedRetry {
    private static final Logger log = LoggerFactory.getLogger(TailFeed.class);

    /**
     * Up to 5 retries in a row with exponential backoff (200 ms to 5 s) and jitter, each announced by a warning;
     * the count starts again after a success, so a feed that runs for weeks survives any number of separate
     * outages. Permanent failures are not retried.
     */
    static final Retry TRANSIENT = Retry.backoff(5, Duration.ofMillis(200))
            .maxBackoff(Duration.ofSeconds(5))
            .jitter(0.5)
            .transientErrors(true)
            .filter(e -> e instanceof DatalakeException && ((DatalakeException) e).isTransient())
            .doBeforeRetry(signal -> log.warn("change feed: retrying after a transient failure (attempt {}): {}",
                    signal.totalRetriesInARow() + 1, signal.failure().toString()))
            .onRetryExhaustedThrow((spec, signal) -> signal.failure());

    private FeedRetry() {
    }
}
