package io.datalake.query;

import java.util.Locale;
import java.util.Optional;

/**
 * How a query level picks its datum. On the base level the strategy only orders the rows; on a derived level it
 * picks, for each row, one of the children of the datum already picked in the referenced column.
 */
public enum Strategy {
    /** Newest {@code added_at} first; ties broken by the larger {@code _id}. The default. */
    LATEST,
    /** Oldest {@code added_at} first; ties broken by the smaller {@code _id}. */
    EARLIEST,
    /** Uniformly random; reproducible with {@link QueryOptions.Builder#seed(Long)}. */
    RANDOM,
    /** Whatever comes first in storage order: no sorting, cheapest. */
    QUICKEST,
    /**
     * Derived levels only: keeps the row only when there is no matching child. The level's column is not part of
     * the output and later levels cannot reference it.
     */
    MISSING;

    /** The strategy used when a level names none. */
    public static final Strategy DEFAULT = LATEST;

    /**
     * Returns the name used in query JSON ({@code "latest"}, {@code "earliest"}, ...).
     *
     * @return the lower-case name
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Looks up a strategy by its JSON name, exactly as the Mindtrace Python datalake spells it.
     *
     * @param wireName a name such as {@code "latest"}; case-sensitive
     * @return the strategy, or empty if the name is unknown
     */
    public static Optional<Strategy> fromWireName(String wireName) {
        for (Strategy s : values()) {
            if (s.wireName().equals(wireName)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
