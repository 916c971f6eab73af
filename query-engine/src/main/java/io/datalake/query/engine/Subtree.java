package io.datalake.query.engine;

import java.util.List;
import org.bson.types.ObjectId;

/**
 * A datum's derivation subtree by levels, as {@link DerivationGraph#subtree} found it.
 *
 * @param levels level 0 holds the datum, level {@code n} the children of level {@code n - 1}, each datum once
 *     (a cycle written by another client ends the walk); when {@code complete} is false the walk stopped early
 *     and the levels are partial
 * @param complete false when the subtree has more datums than the limit asked for
 * @param foreignChildren documents that derive from a datum of the subtree but whose {@code _id} is not an
 *     ObjectId (written by another client), described by {@link ForeignIds#describe}; at most
 *     {@link #MAX_FOREIGN} are kept
 */
public record Subtree(List<List<ObjectId>> levels, boolean complete, List<String> foreignChildren) {
    /** How many foreign children are described, at most. */
    public static final int MAX_FOREIGN = 10;

    /** Copies the lists, so the value is immutable. */
    public Subtree {
        levels = levels.stream().map(List::copyOf).toList();
        foreignChildren = List.copyOf(foreignChildren);
    }

    /**
     * Counts the datums found.
     *
     * @return the number of ids over all levels
     */
    public int size() {
        return levels.stream().mapToInt(List::size).sum();
    }
}
