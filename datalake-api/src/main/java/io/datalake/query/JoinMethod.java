package io.datalake.query;

/** How a derived level is joined to its parents. The engine chooses; {@link QueryOptions} can force one. */
public enum JoinMethod {
    /**
     * For each batch of rows, one query for the children of the batch's parents ({@code derived_from $in [...]}).
     * Cheap when few parents are involved (a small {@code datumsWanted}) and {@code derived_from} is indexed.
     */
    LOOKUP,
    /**
     * One filtered scan of the level for the whole query, joined in memory on {@code derived_from}. Cheap per row
     * when a large share of the lake is involved; holds one entry per parent with matching children (all matching
     * children's ids for {@link Strategy#RANDOM}).
     */
    SCAN
}
