/**
 * The change feed: {@link io.datalake.Datalake#watch(WatchOptions)} streams the datums added after a position that
 * match an optional filter, with backpressure; {@link io.datalake.Datalake#watchEvents(WatchOptions)} pairs each with
 * the {@link FeedToken} of the position right after it, which a caller stores (as {@link FeedToken#encode()}) and
 * resumes from after a restart ({@link WatchOptions.Builder#from(FeedToken)}).
 *
 * <p>Guarantee: from a given position the feed delivers every matching datum added after it exactly once, even when
 * several processes add datums concurrently with clocks that differ, as long as the clock skew between writers plus
 * the time an insert takes to become visible stays below {@link WatchOptions#reorderWindow()}. A datum that becomes
 * visible later than that ("late") is reported as an SLF4J warning naming it. Every value type here is immutable.
 */
@NullMarked
package io.datalake.feed;

import org.jspecify.annotations.NullMarked;
