package io.datalake.lineage;

import java.util.Objects;
import org.bson.types.ObjectId;

/**
 * A derivation link inside a {@link Lineage}: {@code child} was derived from {@code parent}. Both ends are nodes
 * of the lineage.
 *
 * @param parent the id of the datum derived from
 * @param child the id of the derived datum
 */
public record LineageEdge(ObjectId parent, ObjectId child) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if either id is null
     */
    public LineageEdge {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(child, "child");
    }
}
