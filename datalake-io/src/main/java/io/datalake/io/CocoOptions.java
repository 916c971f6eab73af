package io.datalake.io;

import io.datalake.InvalidArgumentException;
import java.util.List;

/**
 * Which columns of the rows a COCO export reads: the image column (registry datums holding image bytes) and the
 * annotation columns (datums whose {@code data} is an annotation in the import convention:
 * {@code {"type": "bbox", "label": L, "bbox": [x, y, width, height]}} in absolute pixels from the image's top-left
 * corner, or {@code {"type": "classification", "label": L}}). An image appearing in several rows is written once;
 * an annotation datum appearing in several rows is written once.
 *
 * @param imageColumn the image column
 * @param annotationColumns the annotation columns; empty means every column other than the image column
 * @param childAnnotations also write every {@code bbox}/{@code classification} datum directly derived from each
 *     image, whether or not it is in a row (reads the lake's current children: for a dataset version this adds
 *     annotations that were not frozen in it, and the manifest says so)
 */
public record CocoOptions(String imageColumn, List<String> annotationColumns, boolean childAnnotations) {
    /** The image column when none is given. */
    public static final String DEFAULT_IMAGE_COLUMN = "image";

    /**
     * Checks and copies the arguments.
     *
     * @throws InvalidArgumentException naming the value if a column is blank or the image column is also an
     *     annotation column
     */
    public CocoOptions {
        if (imageColumn == null || imageColumn.isBlank()) {
            throw new InvalidArgumentException("COCO image column must not be blank, got '" + imageColumn + "'");
        }
        if (annotationColumns == null) {
            throw new InvalidArgumentException("COCO annotation columns must not be null");
        }
        for (String c : annotationColumns) {
            if (c == null || c.isBlank()) {
                throw new InvalidArgumentException("COCO annotation column must not be blank, got " + annotationColumns);
            }
            if (c.equals(imageColumn)) {
                throw new InvalidArgumentException("COCO column '" + c + "' cannot be both the image and an annotation"
                        + " column");
            }
        }
        annotationColumns = List.copyOf(annotationColumns);
    }

    /**
     * The defaults: image column {@value #DEFAULT_IMAGE_COLUMN}, every other column an annotation column, no child
     * annotations.
     *
     * @return the defaults
     */
    public static CocoOptions defaults() {
        return new CocoOptions(DEFAULT_IMAGE_COLUMN, List.of(), false);
    }
}
