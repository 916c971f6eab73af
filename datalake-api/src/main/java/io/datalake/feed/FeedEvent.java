package io.datalake.feed;

import io.datalake.Datum;
import io.datalake.InvalidArgumentException;

/**
 * One datum delivered by the change feed, with the position right after it: a watch resumed from {@code token}
 * delivers every later datum and not this one again.
 *
 * @param datum the datum added
 * @param token the position right after this datum; store {@link FeedToken#encode()} once the datum is processed
 */
public record FeedEvent(Datum datum, FeedToken token) {
    /**
     * Creates the event.
     *
     * @param datum the datum
     * @param token the position right after it
     * @throws InvalidArgumentException if either is null
     */
    public FeedEvent {
        if (datum == null || token == null) {
            throw new InvalidArgumentException("FeedEvent: datum and token must not be null");
        }
    }
}
