package io.datalake.io;

import io.datalake.Datalake;
import io.datalake.InvalidArgumentException;
import java.nio.file.Path;
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
     * Imports a COCO annotation file.
     *
     * @param annotations the COCO JSON file ({@code images}, {@code categories}, {@code annotations})
     * @param images the folder the images' {@code file_name}s are relative to
     * @param options registry, extra metadata, batch size, progress
     * @return the report when done
     * @throws InvalidArgumentException if an argument is null
     */
    public Mono<ImportReport> importCoco(Path annotations, Path images, ImportOptions options) {
        return Mono.error(new UnsupportedOperationException("COCO import is being built (lake " + lake + ")"));
    }

    /**
     * Imports a Pascal VOC folder.
     *
     * @param folder a VOC folder ({@code Annotations/*.xml} and {@code JPEGImages/}) or a folder of XML files
     * @param options registry, extra metadata, batch size, progress
     * @return the report when done
     * @throws InvalidArgumentException if an argument is null
     */
    public Mono<ImportReport> importVoc(Path folder, ImportOptions options) {
        return Mono.error(new UnsupportedOperationException("VOC import is being built"));
    }
}
