package io.datalake.io.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One image of a checked import with its annotations. Metadata and annotations are built when the item's batch is
 * written, so a large import keeps only compact entries in memory until then.
 *
 * @param image the image file, resolved inside the images folder (real path)
 * @param metadata builds the image datum's metadata without the user's metadata and the import key
 * @param annotations builds the annotations' data and metadata; the entries were checked when the plan was made
 */
record ImportItem(Path image, Supplier<Map<String, @Nullable Object>> metadata,
        Supplier<List<Annotation>> annotations) {

    /**
     * One annotation of an image.
     *
     * @param data the annotation datum's data ({@code type}, {@code label}, {@code bbox}, ...)
     * @param metadata its metadata without the import key ({@code source})
     */
    record Annotation(Map<String, @Nullable Object> data, Map<String, @Nullable Object> metadata) {
    }
}
