package io.datalake.dataset;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What is known about one dataset.
 *
 * @param name the name
 * @param description the free-form description
 * @param latest the number of the latest published version; null before the first publication
 * @param tags tag name to version number
 * @param createdAt when the dataset was created
 * @param actor who created it
 */
public record DatasetInfo(String name, String description, @Nullable Integer latest, Map<String, Integer> tags,
        Instant createdAt, String actor) {
    /** Copies the tags. */
    public DatasetInfo {
        tags = Map.copyOf(tags);
    }
}
