package io.datalake.io;

import io.datalake.Datalake;
import io.datalake.InvalidArgumentException;
import io.datalake.io.internal.ImportJob;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Imports annotated image sets (COCO, Pascal VOC) into a lake: each image becomes a datum with its bytes in a
 * registry, each annotation a datum derived from its image.
 */
public final class Importer {
    private final Datalake lake;

    private Importer(Datalake lake) {
        this.lake = lake;
    }

    /**
     * Returns an importer writing to a lake.
     *
     * @param lake the lake; the importer does not close it
     * @return the importer
     * @throws InvalidArgumentException if the lake is null
     */
    public static Importer of(Datalake lake) {
        if (lake == null) {
            throw new InvalidArgumentException("lake must not be null");
        }
        return new Importer(lake);
    }

    /**
     * Imports a COCO annotation file: each entry of {@code images} becomes an image datum (its bytes in the
     * registry), each entry of {@code annotations} a datum derived from its image, with data {@code {"type":
     * "bbox", "label": <category name>, "bbox": [x, y, width, height], "category_id": ...}} (COCO's own box:
     * absolute pixels, top-left corner, origin top-left) or {@code {"type": "classification", ...}} when the
     * annotation has no {@code bbox}; {@code segmentation}, {@code area}, {@code iscrowd} and {@code score} are
     * kept in data, any other field under {@code data.extra}. An optional top-level {@code classifications} array
     * (image-level labels {@code {id, image_id, category_id}}, as {@link Exporter}'s COCO export writes them) is read
     * the same way into {@code classification} datums, with {@code metadata.source.classification_id}; its ids are
     * unique within the array and its entries may not have a {@code bbox}.
     *
     * <p>The whole file and every image name are checked before anything is written: a malformed file, an
     * unknown image or category id, or an image name that is absolute, leaves the images folder (by {@code ..} or
     * a symbolic link) or names no file fails the import with {@link ImportFormatException} and the lake is left
     * unchanged. Then the images are written in batches of {@link ImportOptions#batchSize()}, each with its
     * annotations in one {@code addData} call. Re-running an import adds only what is missing (see
     * {@link ImportReport}).
     *
     * @param annotations the COCO JSON file ({@code images}, {@code categories}, {@code annotations}, optionally
     *     {@code classifications})
     * @param images the folder the images' {@code file_name}s are relative to
     * @param options registry, extra metadata, batch size, progress
     * @return the report when done; fails with {@link ImportFormatException} (nothing written) for bad input,
     *     {@link InvalidArgumentException} if the file or folder cannot be read, and with the lake's errors if a
     *     batch cannot be written (earlier batches stay: run the import again to finish it)
     * @throws InvalidArgumentException if an argument is null
     */
    public Mono<ImportReport> importCoco(Path annotations, Path images, ImportOptions options) {
        require(annotations, "annotations");
        require(images, "images");
        require(options, "options");
        return ImportJob.run(lake, ImportJob.coco(annotations, images), options);
    }

    /**
     * Imports a Pascal VOC folder: each XML file's image becomes an image datum (its bytes in the registry;
     * metadata {@code width}, {@code height}, {@code depth} and {@code voc} with {@code folder}, {@code path},
     * {@code segmented}, {@code source}, {@code owner} when present) and each {@code <object>} a datum derived
     * from it with data {@code {"type": "bbox", "label": <name>, "bbox": [xmin, ymin, xmax - xmin, ymax - ymin]}}
     * (VOC's numbers kept as continuous pixel coordinates, no 1-pixel shift) plus {@code pose}, {@code truncated},
     * {@code difficult}, {@code occluded} (booleans) and {@code parts} ({@code [{label, bbox}]}) when present.
     *
     * <p>The layout is either the VOC devkit's ({@code Annotations/*.xml}, images in {@code JPEGImages/}) or XML
     * files with their images side by side. XML files with a DOCTYPE are refused (no external entity or DTD is
     * ever read). Every file is checked before anything is written, as for {@link #importCoco}.
     *
     * @param folder a VOC folder ({@code Annotations/*.xml} and {@code JPEGImages/}) or a folder of XML files
     * @param options registry, extra metadata, batch size, progress
     * @return the report when done; fails as {@link #importCoco} does
     * @throws InvalidArgumentException if an argument is null
     */
    public Mono<ImportReport> importVoc(Path folder, ImportOptions options) {
        require(folder, "folder");
        require(options, "options");
        return ImportJob.run(lake, ImportJob.voc(folder), options);
    }

    private static void require(@Nullable Object value, String name) {
        if (value == null) {
            throw new InvalidArgumentException(name + " must not be null");
        }
    }
}
