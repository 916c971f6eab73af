package io.datalake.io.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One image of a checked import with its annotations.
 *
 * @param image the image file, resolved inside the images folder (real path)
 * @param metadata the image datum's metadata without the user's metadata and the import key
 * @param annotations builds the annotations' data and metadata when the item's batch is written (COCO keeps them
 *     compact until then); the entries were checked when the plan was made
 */
record ImportItem(Path image, Map<String, @Nullable Object> metadata, Supplier<List<Annotation>> annotations) {

    /**
     * One annotation of an image.
     *
     * @param data the annotation datum's data ({@code type}, {@code label}, {@code bbox}, ...)
     * @param metadata its metadata without the import key ({@code source})
     */
    record Annotation(Map<String, @Nullable Object> data, Map<String, @Nullable Object> metadata) {
    }
}
