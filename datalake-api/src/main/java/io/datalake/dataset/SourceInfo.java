package io.datalake.dataset;

import org.jspecify.annotations.Nullable;

/**
 * How a version was made, as recorded in it.
 *
 * @param kind {@code "query"}, {@code "ids"} or {@code "version"}
 * @param queryJson the query as JSON, for a query source; otherwise null
 * @param seed the query's seed, if one was given
 * @param datumsWanted the query's datumsWanted, if one was given
 * @param derivedFrom the pinned base version ({@code NAME@N}) of a version source; otherwise null
 */
public record SourceInfo(String kind, @Nullable String queryJson, @Nullable Long seed,
        @Nullable Integer datumsWanted, @Nullable VersionRef derivedFrom) {
}
