package io.datalake.lineage;

import java.time.Instant;
import java.util.Objects;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * One datum in a {@link Lineage}, described without its data so that a large tree stays small in memory.
 *
 * @param id the datum's id
 * @param derivedFrom the datum's parent, or null for a root
 * @param addedAt when the datum was added
 * @param depth the distance from the walk's starting datum: 0 for the start, negative for ancestors (-1 is the
 *     parent), positive for descendants (1 is a child)
 * @param type the datum's type: {@code data.type}, else {@code metadata.type}, else null
 * @param summary a one-line description built from the type and a few short data and metadata fields, at most
 *     {@link #MAX_SUMMARY_LENGTH} characters
 * @param inRegistry whether the datum's payload lives in a registry rather than inline
 */
public record LineageNode(
        ObjectId id,
        @Nullable ObjectId derivedFrom,
        Instant addedAt,
        int depth,
        @Nullable String type,
        String summary,
        boolean inRegistry) {

    /** The longest summary a node carries. */
    public static final int MAX_SUMMARY_LENGTH = 100;

    /**
     * Validates the components.
     *
     * @throws NullPointerException if id, addedAt or summary is null
     */
    public LineageNode {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(addedAt, "addedAt");
        Objects.requireNonNull(summary, "summary");
    }
}
