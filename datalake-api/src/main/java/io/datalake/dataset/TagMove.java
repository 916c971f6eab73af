package io.datalake.dataset;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One recorded move of a tag.
 *
 * @param dataset the dataset name
 * @param tag the tag
 * @param from the version number it pointed at before; null when the tag was created
 * @param to the version number it points at after; null when the tag was deleted
 * @param at when it moved
 * @param actor who moved it
 */
public record TagMove(String dataset, String tag, @Nullable Integer from, @Nullable Integer to, Instant at,
        String actor) {
}
